"""`dltsim atlas report` in a real headless browser (as tests/report/test_report.py does for runs and
studies): a small atlas of three threats from a catalogue folder, one entry's title and a mitigation's
title carrying a script. The page loads with no console error and no alert; every figure is drawn;
the matrix has a row per mitigation with a cell per strength, green where the interval is above 0;
the closed-form table agrees; every cell names its study file; a full-page screenshot is kept in
--artifacts (docs/atlas.md shows one)."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

p = argparse.ArgumentParser()
p.add_argument("--dltsim", required=True)
p.add_argument("--threats", required=True)
p.add_argument("--artifacts", required=True)
ARGS = p.parse_args()
failures = 0
XSS = "<script>alert(1)</script>"


def check(ok, what):
    global failures
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    failures += 0 if ok else 1


d = tempfile.mkdtemp(prefix="dltsim-atlas-report-")
cat = os.path.join(d, "threats")
os.makedirs(cat)
os.symlink(os.path.join(os.path.dirname(os.path.abspath(ARGS.threats)), "scenarios"), os.path.join(d, "scenarios"))
for name in ("selfish-mining", "double-spending", "censorship"):
    shutil.copy(os.path.join(ARGS.threats, f"{name}.yaml"), cat)
path = os.path.join(cat, "selfish-mining.yaml")
text = open(path, encoding="utf-8").read()
text = text.replace("title: Selfish mining", f'title: "{XSS} Selfish mining', 1).replace(
    "rewards)\n", 'rewards)"\n', 1).replace("title: uniform random tie breaking", f'title: "{XSS} tie breaking"')
open(path, "w", encoding="utf-8").write(text)
out = os.path.join(d, "atlas")
for args in (["run", "--size", "ci", "--output", out, "--no-progress", "--quiet"],
             ["report", "--size", "ci", "--output", out]):
    r = subprocess.run([ARGS.dltsim, "atlas", *args, "--catalogue", cat],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"dltsim atlas {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
page = os.path.join(out, "ci", "atlas.html")
html_text = open(page, encoding="utf-8").read()
check(XSS not in html_text and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text,
      "titles from the catalogue reach the page escaped")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,900",
          "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                       {"source": "window.__alerts=[];window.alert=m=>window.__alerts.push(String(m));"})
try:
    driver.get("file://" + page)
    js = driver.execute_script
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check(not errors, f"no console error ({errors[:2]})")
    check(js("return window.__alerts.length") == 0, "no alert ran")
    figures = js("return document.querySelectorAll('div.figure').length")
    drawn = js("return Array.from(document.querySelectorAll('div.figure .js-plotly-plot')).filter("
               "g => g.querySelectorAll('.scatterlayer .trace').length > 0).length")
    check(figures == 3 and drawn == 3, f"a curve per threat, each drawn ({drawn} of {figures})")
    rows = js("return Array.from(document.querySelectorAll('table.matrix tbody tr')).filter(r => r.cells.length > 1)"
              ".map(r => [r.cells[0].textContent, r.querySelectorAll('td.cell').length])")
    check(len(rows) == 4 and all(n == 2 for _, n in rows),
          f"the matrix: a row per mitigation (4), a cell per strength: {rows}")
    green = js("return document.querySelectorAll('table.matrix td.better').length")
    check(green >= 5, f"cells whose interval is above 0 are green ({green})")
    titles = js("return Array.from(document.querySelectorAll('table.matrix td.cell')).map(c => c.title)")
    check(all("study.h5" in t and "replications" in t for t in titles),
          "every cell names its points, replications and study file (provenance)")
    table = ("let e = Array.from(document.querySelectorAll('h2')).find(h => h.textContent.startsWith('Closed forms'));"
             "while (e && !e.querySelector('table')) e = e.nextElementSibling; const t = e.querySelector('table');")
    agrees = js(table + "return Array.from(t.querySelectorAll('tbody tr')).map(r => r.cells[9].textContent)")
    check(len(agrees) >= 10 and set(agrees) == {"yes"},
          f"the closed forms beside the measurements ({len(agrees)} rows), all agreeing: {agrees}")
    check("X.1402 9.4.3 Selfish mining attack defence" in js("return document.body.textContent"),
          "the X.1402 references on the page")
    height = js("return document.body.scrollHeight")
    driver.set_window_size(1300, min(height + 100, 16000))
    os.makedirs(ARGS.artifacts, exist_ok=True)
    driver.save_screenshot(os.path.join(ARGS.artifacts, "atlas.png"))
finally:
    driver.quit()
shutil.rmtree(d, ignore_errors=True)
print("all checks passed" if failures == 0 else f"{failures} check(s) failed")
sys.exit(1 if failures else 0)
