"""`dltsim report` pages in a real headless browser (Debian's chromium and chromium-driver, through
python3-selenium), with networking off.

Pages: runs (Nakamoto with arrivals; selfish mining and its attack table; BFT; a partition, whose
attack table has no time column; a run with --set overrides and no regions table) and studies
(explicit points with labels, one of them `<script>alert(1)</script>`, and a boolean axis; a grid
with a numeric and a boolean axis; the points study rewritten as an old dltsim-study-1 file). Each
page loads with no console error and no alert, every figure on it is drawn (a Plotly graph with an
SVG that holds data traces), and a full-page screenshot is kept in --artifacts. Then each page's own
content is checked, on the HTML text and on the rendered page.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--dltsim", required=True)
p.add_argument("--scenarios", required=True)
p.add_argument("--studies", required=True)
p.add_argument("--artifacts", required=True)
ARGS = p.parse_args()

failures = 0
XSS = "<script>alert(1)</script>"
PARAMS = {"alpha": 0.25, "strategy": "sm1", "trail_depth": 1, "max_lead": 0}


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
sc = lambda name: os.path.abspath(os.path.join(ARGS.scenarios, name))  # noqa: E731

# ------------------------------------------------------------------------------------------ runs
runs = {
    "nakamoto": (sc("quickstart.yaml"), ["--set", "network.nodes=200", "--set", "general.stop.blocks=8",
                                         "--set", "output.record=[blocks, arrivals, miners, reorgs, nodes, regions]"]),
    "selfish-mining": (sc("selfish-mining-bitcoin.yaml"), ["--set", "network.nodes=100",
                                                           "--set", "general.stop.blocks=60"]),
    "bft": (sc("bft-silent-leader.yaml"), ["--set", "general.stop.time=90 s"]),
    "partition": (sc("partition-region.yaml"), ["--set", "network.nodes=200", "--set", "general.stop.time=4 h",
                                                "--set", "attacks[0].start=1 h", "--set", "attacks[0].end=3 h"]),
    "privacy": (sc("deanonymise-2019.yaml"), ["--set", "network.nodes=150", "--set", "general.stop.time=10 min"]),
    # Overrides, and no regions table: the propagation plot names regions from the scenario.
    "overrides": (sc("quickstart.yaml"), ["--set", "network.nodes=150", "--set", "general.stop.blocks=6",
                                          "--set", "output.record=[blocks, arrivals, nodes]"]),
}
pages = {}
for name, (scenario, sets) in runs.items():
    out = os.path.join(d, f"{name}.h5")
    dltsim("run", scenario, "-o", out, "-q", *sets)
    pages[name] = dltsim("report", out).strip()

# --------------------------------------------------------------------------------------- studies
# Explicit points with labels (one a script, one long value) and a boolean axis; attacks switch off
# in place with enabled: false.
POINTS_STUDY = f"""study: report-points
base: {sc("selfish-mining-bitcoin.yaml")}
seed: 1
replications: 2
set:
  network.nodes: 60
  general.stop.blocks: 40
  output.record: [blocks]
axes:
  points:
    - label: "{XSS}"
      attacks[0].enabled: true
    - label: honest
      attacks[0].enabled: false
    - label: alpha 0.25, sm1
      attacks[0].enabled: true
      attacks[0].params: {json.dumps(PARAMS)}
metrics: [stale_rate, selfish_mining_revenue, propagation_p50_s, blocks_main, nodes]
derived:
  revenue_gain: {{expr: selfish_mining_revenue - selfish_mining_theory_alpha, doc: "revenue above the power share"}}
"""
# A grid over a numeric axis and a boolean one.
GRID_STUDY = f"""study: report-grid
base: {sc("partition-region.yaml")}
seed: 1
replications: 2
set:
  general.stop.time: "4 h"
  attacks[0].start: "1 h"
  attacks[0].end: "3 h"
  output.record: [blocks]
axes:
  grid:
    network.nodes: [80, 160]
    attacks[0].enabled: [true, false]
metrics: [stale_rate, partition_orphaned_a, propagation_p50_s, blocks_main, end_time_s]
"""


def study(name, text):
    path = os.path.join(d, f"{name}.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    out = os.path.join(d, name)
    dltsim("study", "run", path, "--output", out, "--no-progress")
    return os.path.join(out, "study.h5")


def as_study_1(path, out):
    """The study file as dltsim-study-1 wrote it: no labels, no interval column, no /metrics."""
    with open(path, "rb") as src, open(out, "wb") as dst:
        dst.write(src.read())
    with h5py.File(out, "r+") as f:
        f.attrs["schema"] = np.bytes_(b"dltsim-study-1")
        del f.attrs["labels"]
        del f["metrics"]
        for table, drop in (("points", ("label", "interval")), ("runs", ("label",))):
            arr = f[table][()]
            keep = [c for c in arr.dtype.names if c not in drop]
            old = np.zeros(len(arr), dtype=[(c, arr.dtype[c]) for c in keep])
            for c in keep:
                old[c] = arr[c]
            del f[table]
            f.create_dataset(table, data=old)
    return out


points_h5 = study("points", POINTS_STUDY)
for name, h5 in (("study-points", points_h5), ("study-grid", study("grid", GRID_STUDY)),
                 ("study-1", as_study_1(points_h5, os.path.join(d, "study-1.h5")))):
    pages[name] = dltsim("report", h5, "-o", os.path.join(d, f"{name}.html")).strip()

texts = {}
for name, path in pages.items():
    with open(path, encoding="utf-8") as f:
        texts[name] = text = f.read()
    check("http://" not in text.split("<script>", 1)[0] and "<script src=" not in text,
          f"{name}: no external resource (size {len(text) / 1e6:.2f} MB)")
    # The figures' shared template is in the page once, not once per figure.
    check(text.count('"annotationdefaults"') == 1, f"{name}: the plot template once")

# ------------------------------------------------------------------------- checks on the HTML text
t = texts["study-points"]
check("<script>alert(1)" not in t and "&lt;script&gt;alert(1)&lt;/script&gt;" in t,
      "study-points: the script label is escaped everywhere (table, figures, study file)")
check("attacks[0].params" in t and '"strategy": "sm1"' in t.replace("&quot;", '"'),
      "study-points: the long axis value is in the points table")
t = texts["partition"]
check("no rows over time" not in t and "Attack table: partition_sides (partition)" in t,
      "partition: the attack table is shown, not 'no rows over time'")
t = texts["overrides"]
check("network.nodes=150" in t and '<span class="set">  nodes: 150</span>' in t,
      "overrides: the --set list and the overridden line marked")
check(all("Attack table" not in texts[n] for n in ("nakamoto", "overrides", "bft")),
      "runs without attack tables: none reported (protocol and runtime tables come from the registries)")

# ------------------------------------------------------------------------------------ the browser
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import UnexpectedAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900",
          "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):  # no network: a fetch would fail
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
# Every alert the page calls is recorded, before any script of the page runs.
driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                       {"source": "window.__alerts=[];window.alert=m=>window.__alerts.push(String(m));"})

JS = """
window.fig = t => Array.from(document.querySelectorAll('div.figure .js-plotly-plot'))
  .find(g => (g.layout.title.text || '').startsWith(t));
window.ticks = g => Array.from(g.querySelectorAll('.xtick text')).map(e => e.textContent);
window.after = (h, sel) => { let e = Array.from(document.querySelectorAll('h2')).find(x => x.textContent === h);
  while (e && !(e.matches(sel) || e.querySelector(sel))) e = e.nextElementSibling;
  return e && (e.matches(sel) ? e : e.querySelector(sel)); };
window.rowOf = (name) => Array.from(document.querySelectorAll('table.summary tr'))
  .map(r => Array.from(r.cells).map(c => c.textContent)).find(c => c[0] === name);
"""


def js(expr):
    return driver.execute_script(JS + "return " + expr)


def check_page(name):
    """The checks of the page's own content (issue points 1-12)."""
    if name == "study-points":
        g = "fig('stale_rate by point')"
        check(js(f"ticks({g})") == [XSS, "honest", "alpha 0.25, sm1"],
              f"{name}: the points' short labels on the axis, the script as text: {js(f'ticks({g})')}")
        check(js(f"{g}.layout.xaxis.tickvals") == [0, 1, 2] and js(f"{g}.data[0].mode") == "markers",
              f"{name}: points as categories (a tick each), markers without line")
        check(js("fig('propagation_p50_s by point').querySelector('.g-ytitle').textContent") == "propagation_p50_s (s)"
              and "unit: s" in js("after('propagation_p50_s', 'p.doc').textContent")
              and "50 % of block arrivals" in js("after('propagation_p50_s', 'p.doc').textContent"),
              f"{name}: the metric's doc and unit under its heading, the unit on the y axis")
        check("derived: selfish_mining_revenue - selfish_mining_theory_alpha" in js(
              "after('revenue_gain', 'p.doc').textContent"), f"{name}: a derived metric's expression")
        check(js("after('Constant metrics', 'table').rows[1].textContent") == "nodes60ledger nodes"
              and js("fig('nodes ')") is None, f"{name}: the constant metric in its table, not plotted")
        err = js(f"{g}.data[0].error_y")
        check(err.get("symmetric") is False and err.get("arrayminus") is not None
              and abs(err["array"][1] - 0.6576) < 1e-3 and err["arrayminus"][1] == 0,
              f"{name}: asymmetric error bars, the Wilson interval [0, 0.658] at 'honest': {err}")
        box = "document.querySelector('table.points').parentElement"
        check(js(f"getComputedStyle({box}).overflowX") == "auto" and js(f"{box}.scrollWidth > {box}.clientWidth")
              and js("document.documentElement.scrollWidth <= window.innerWidth"),
              f"{name}: the points table scrolls sideways in its box, the page does not")
        cells = js("Array.from(document.querySelectorAll('table.points td.stat small')).map(e => e.textContent)")
        check(len(cells) == 3 * 5 and "Wilson, n 2" in cells and "t in [0, 1], n 2" in cells,
              f"{name}: every (point, metric) cell names its interval method: {cells[:4]}")
        legend = js("document.querySelector('p.legend').textContent")
        check("Wilson score interval" in legend and "Student t, intersected with [0, 1]" in legend,
              f"{name}: the legend explains the methods")
        long = js("Array.from(document.querySelectorAll('table.points td')).find(c => c.title.includes('strategy'))")
        check(long is not None and json.loads(long.get_attribute("title")) == PARAMS
              and long.text.endswith("…"), f"{name}: a long value cut short in its cell, whole in its title")
        label = js("document.querySelector('table.points td.label').textContent")
        check(label == XSS and js("Array.from(document.scripts).every(s => !s.textContent.trim().startsWith('alert'))")
              and js("document.scripts.length") == 2 + js("document.querySelectorAll('div.figure').length"),
              f"{name}: the label is text, and no script came from it")
    elif name == "study-grid":
        g = "fig('stale_rate against network.nodes')"
        check(js(f"{g}._fullLayout.xaxis.type") == "linear"
              and js(f"{g}.data.every(t => t.mode === 'lines+markers' && t.x[0] < t.x[1])")
              and js(f"{g}.data.map(t => t.name)") == ["enabled=true", "enabled=false"],
              f"{name}: a numeric axis as numbers, lines sorted by x, one line per value of the other axis")
        g = "fig('stale_rate against attacks[0].enabled')"
        check(js(f"ticks({g})") == ["true", "false"]
              and js(f"{g}.data.every(t => t.mode === 'markers' && t.error_y.symmetric === false)")
              and js(f"{g}.data.map(t => t.x.map(x => Math.round(x)))") == [[0, 1], [0, 1]]
              and js(f"{g}.data[0].x[0] < {g}.data[1].x[0]"),
              f"{name}: a boolean axis as categories, markers without line side by side, asymmetric 95 % intervals")
        check(js("after('Constant metrics', 'table').rows[1].cells[0].textContent") == "end_time_s"
              and js("fig('end_time_s')") is None, f"{name}: the constant metric in its table, not plotted")
        check(js("fig('partition_orphaned_a against network.nodes').data.length") == 1,
              f"{name}: a combination with no finite value draws no empty line")
    elif name == "study-1":
        ticks = js("ticks(fig('stale_rate by point'))")
        check(ticks[:2] == ["enabled=true", "enabled=false"] and ticks[2].startswith('enabled=true, params={"alpha"'),
              f"{name}: an old study file, labels made from the points: {ticks}")
    elif name == "selfish-mining":
        heads = js("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
        check("Attack table: private_lead (selfish_mining)" in heads and not any(
              h.startswith("Attack table: " + t) for h in heads for t in ("messages", "regions", "nodes", "miners")),
              f"{name}: the attack's table from the registry, not the runtime's or the protocol's")
        check(js("fig('private_lead over time') !== undefined"), f"{name}: the attack table over time plotted")
        check(js("rowOf('stale_rate')")[2:4] == ["", "proportion"] and js("rowOf('blocks_main')")[2:4] == [
              "blocks", "non-negative"] and js("rowOf('selfish_mining_revenue_se')")[3] == "",
              f"{name}: summary values with unit and support (blank when real)")
    elif name == "partition":
        table = js("after('Attack table: partition_sides (partition)', 'table')")
        header = [c.text for c in table.find_elements("css selector", "th")] if table else []
        check("side" in header and "orphaned (blocks)" in header and len(table.find_elements("css selector", "tr")) == 3
              and js("getComputedStyle(after('Attack table: partition_sides (partition)', 'div.scroll')).overflowX")
              == "auto", f"{name}: the table without time column shown as a table: {header}")
        g = "fig('Blocks:')"
        notes = js(f"Array.from({g}.querySelectorAll('.annotation-text')).map(e => e.textContent)")
        check(js(f"{g}.layout.shapes.map(s => [s.x0, s.x1])") == [[3600, 10800]] and "partition (attacks[0])" in notes,
              f"{name}: the attack's window shaded and named on the blocks plot")
    elif name == "bft":
        check(js("fig('Commits over time').layout.shapes.map(s => [s.x0, s.x1])") == [[60, 90]],
              f"{name}: the silent leaders' window (60 s to the end) on the commits plot")
    elif name == "privacy":
        heads = js("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
        check("Privacy of transaction origins" in heads and not any(h.startswith("Attack table: origin_guesses")
                                                                   or h.startswith("Attack table: tx_observations")
                                                                   for h in heads),
              f"{name}: the privacy section instead of the raw guess and observation tables: {heads}")
        bars = js("fig('Origin estimators: precision and recall').data.map(t => t.name)")
        check(bars == ["supernode: recall", "supernode: precision"], f"{name}: precision and recall per estimator: {bars}")
        check(js("fig('Time to a right guess').data.length") == 3, f"{name}: a curve per estimator")
    elif name == "overrides":
        check(js("Array.from(document.querySelectorAll('li code')).map(e => e.textContent)")
              == ["network.nodes=150", "general.stop.blocks=6", "output.record=[blocks, arrivals, nodes]"],
              f"{name}: the --set overrides listed")
        marked = js("Array.from(document.querySelectorAll('pre.scenario .set')).map(e => e.textContent.trim())")
        check(marked == ["blocks: 6", "nodes: 150", "record: [arrivals, blocks, nodes]"],
              f"{name}: the overridden lines of the resolved scenario highlighted: {marked}")
        check(js("!document.querySelector('details').open && "
                 "document.querySelector('details pre').textContent.includes('nodes: 1000')")
              and "nodes: 1000" not in js("document.querySelector('pre.scenario').textContent"),
              f"{name}: the file as written folded away")
        names = js("fig('Block propagation').data.map(t => t.name)")
        check(names == ["all nodes", "NA", "EU", "SA", "AP", "JP", "AU"],
              f"{name}: regions named from the scenario without the regions table: {names}")


try:
    for name, path in pages.items():
        try:
            driver.get("file://" + os.path.abspath(path))
            driver.execute_script("return document.readyState")
            expected = driver.execute_script("return document.querySelectorAll('div.figure').length")
            drawn = driver.execute_script(
                "return Array.from(document.querySelectorAll('div.figure .js-plotly-plot')).filter("
                "g => g.querySelector('svg.main-svg') && g.querySelectorAll('g.trace').length > 0).length")
            alerts = driver.execute_script("return window.__alerts")
        except UnexpectedAlertPresentException as e:
            check(False, f"{name}: an alert opened: {e}")
            continue
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        check(expected > 0 and drawn == expected, f"{name}: {drawn} of {expected} figures drawn")
        check(not errors, f"{name}: no console error {[e['message'][:200] for e in errors]}")
        check(alerts == [], f"{name}: no alert {alerts}")
        # Figures get text escaped once, as plotly.js decodes it: no entity shows.
        shown = driver.execute_script("return Array.from(document.querySelectorAll('svg text')).map(e => e.textContent)"
                                      ".filter(s => /&(quot|#x27|amp|lt|gt);/.test(s))")
        check(not shown, f"{name}: no escaped entity shown in a figure {shown[:3]}")
        try:
            check_page(name)
        except Exception as e:  # noqa: BLE001 - a missing element fails its page's checks, not the run
            first = (getattr(e, "msg", None) or str(e)).strip().splitlines()[0]
            check(False, f"{name}: the page's checks stopped: {type(e).__name__}: {first}")
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1200, min(max(900, height), 16000))
        shot = os.path.join(ARGS.artifacts, f"report-{name}.png")
        driver.save_screenshot(shot)
        check(os.path.getsize(shot) > 10000, f"{name}: screenshot {shot}")
        driver.set_window_size(1200, 900)
finally:
    driver.quit()

if not failures:
    shutil.rmtree(d, ignore_errors=True)  # kept after a failure, to look at
print(f"{len(pages)} pages; " + ("all checks passed" if not failures else f"{failures} check(s) failed (files in {d})"))
sys.exit(1 if failures else 0)
