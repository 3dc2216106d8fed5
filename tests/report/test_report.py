"""`dltsim report` pages in a real headless browser (Debian's chromium and chromium-driver, through
python3-selenium), with networking off: each page (a Nakamoto run with its arrivals, a selfish-mining
run with its attack table, a BFT run, a study) loads with no console error, every figure on it is
drawn (a Plotly graph with an SVG that holds data traces), and a full-page screenshot is kept in
--artifacts.
"""

import argparse
import os
import subprocess
import sys
import tempfile

p = argparse.ArgumentParser()
p.add_argument("--dltsim", required=True)
p.add_argument("--scenarios", required=True)
p.add_argument("--studies", required=True)
p.add_argument("--artifacts", required=True)
ARGS = p.parse_args()

failures = 0


def check(ok, what):
    global failures
    print(("ok    " if ok else "FAIL  ") + what, flush=True)
    failures += 0 if ok else 1


def dltsim(*args):
    r = subprocess.run([ARGS.dltsim, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"dltsim {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r.stdout


d = tempfile.mkdtemp(prefix="dltsim-report-")
os.makedirs(ARGS.artifacts, exist_ok=True)
sc = lambda name: os.path.join(ARGS.scenarios, name)  # noqa: E731
runs = {
    "nakamoto": (sc("quickstart.yaml"), ["--set", "network.nodes=200", "--set", "general.stop.blocks=8",
                                         "--set", "output.record=[blocks, arrivals, miners, reorgs, nodes, regions]"]),
    "selfish-mining": (sc("selfish-mining-bitcoin.yaml"), ["--set", "network.nodes=100",
                                                           "--set", "general.stop.blocks=60"]),
    "bft": (sc("bft-silent-leader.yaml"), ["--set", "general.stop.time=90 s"]),
}
pages = {}
for name, (scenario, sets) in runs.items():
    out = os.path.join(d, f"{name}.h5")
    dltsim("run", scenario, "-o", out, "-q", *sets)
    pages[name] = dltsim("report", out).strip()
study_out = os.path.join(d, "study")
subprocess.run([ARGS.dltsim, "study", "run", os.path.join(ARGS.studies, "regression.yaml"), "--output", study_out,
                "--no-progress", "--replications", "3"], check=True, capture_output=True)
pages["study"] = dltsim("report", os.path.join(study_out, "study.h5"), "-o", os.path.join(d, "study.html")).strip()

for name, path in pages.items():
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check("http://" not in text.split("<script>", 1)[0] and "<script src=" not in text,
          f"{name}: no external resource (size {len(text) / 1e6:.1f} MB)")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900",
          "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):  # no network: a fetch would fail
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    for name, path in pages.items():
        driver.get("file://" + os.path.abspath(path))
        driver.execute_script("return document.readyState")
        expected = driver.execute_script("return document.querySelectorAll('div.figure').length")
        drawn = driver.execute_script(
            "return Array.from(document.querySelectorAll('div.figure .js-plotly-plot')).filter("
            "g => g.querySelector('svg.main-svg') && g.querySelectorAll('g.trace').length > 0).length")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(expected > 0 and drawn == expected, f"{name}: {drawn} of {expected} figures drawn")
        check(not errors, f"{name}: no console error {[e['message'][:200] for e in errors]}")
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1200, min(max(900, height), 16000))
        shot = os.path.join(ARGS.artifacts, f"report-{name}.png")
        driver.save_screenshot(shot)
        check(os.path.getsize(shot) > 10000, f"{name}: screenshot {shot}")
        driver.set_window_size(1200, 900)
finally:
    driver.quit()

print("all checks passed" if not failures else f"{failures} check(s) failed")
sys.exit(1 if failures else 0)
