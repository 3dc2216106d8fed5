"""One self-contained HTML page for a run's result file or a collected study (`dltsim report`).

The page embeds plotly.js and its data: it opens with no network access. A figure whose table the
run did not record says so instead of being drawn empty. Whatever comes from a file reaches the page
escaped: html.escape in the HTML, and in the figures too (plotly.js renders strings as its own small
HTML), inside JSON whose "<" are written \\u003c so that no string can close the script.
"""

import html
import json
import math
import os
import re

import numpy as np
import pandas as pd

# Tables of the simulator itself, recorded whatever the protocol and attacks: never an attack's.
_PREVIEW_ROWS = 50  # rows shown of a table that is not a time series
_CDF_POINTS = 400   # a CDF is drawn through at most this many points: 10^6 arrivals stay a small page
_TICK_CHARS = 30    # axis ticks and legend entries cut longer text short (the hover has it whole)
_CELL_CHARS = 40    # table cells likewise (the cell's title attribute has it whole)
_BASE = "(base)"    # an explicit point that leaves an axis out keeps the base scenario's value
_SYMBOLS = ("circle", "diamond", "square", "triangle-up", "cross", "x")  # traces at one category told apart

# The points table's cells name their interval method in short; a legend under it explains them.
_INTERVAL_SHORT = {"student-t": "t", "student-t within [0, inf)": "t ≥ 0", "student-t within [0, 1]": "t in [0, 1]",
                   "wilson": "Wilson", "none": "none"}


def _plotly():
    import plotly.graph_objects as go
    return go


def _plotly_js():
    """plotly.js: the minified copy the build puts in the package, else python3-plotly's full one."""
    minified = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_data", "plotly.min.js")
    if os.path.exists(minified):
        with open(minified, encoding="utf-8") as f:
            return f.read()
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


def _script_json(obj):
    """JSON that can sit inside a <script>: no "<" that could end it or open a comment."""
    from plotly.utils import PlotlyJSONEncoder
    return json.dumps(obj, cls=PlotlyJSONEncoder, separators=(",", ":")).replace("<", "\\u003c")


def _esc(value):
    return html.escape(str(value))


def _plot_text(value):
    """Text for a figure: plotly.js reads <b>, <br> and a few more as markup and decodes &amp; &lt; &gt;
    (not &quot; or &#x27;, so quotes stay as they are)."""
    return html.escape(str(value), quote=False)


def _short(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _fmt(v, digits=6):
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return "NaN"
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.{digits}g}"
    return str(v)


def _cell(value, tag="td", limit=None, title=None, cls=None):
    """A table cell, cut short at limit characters if given, the whole text (or title) in its title attribute."""
    text = _fmt(value)
    full = title if title is not None else (text if limit and len(text) > limit else None)
    attr = (f' title="{_esc(full)}"' if full else "") + (f' class="{cls}"' if cls else "")
    return f"<{tag}{attr}>{_esc(_short(text, limit) if limit else text)}</{tag}>"


class _Page:
    def __init__(self, title):
        self.title = title
        self.sections = []
        self.figures = 0

    def heading(self, text, level=2):
        self.sections.append(f"<h{level}>{_esc(text)}</h{level}>")

    def text(self, text, cls=None):
        attr = f' class="{cls}"' if cls else ""
        self.sections.append(f"<p{attr}>{_esc(text)}</p>")

    def raw(self, fragment):
        """HTML built by this module, every value in it already escaped."""
        self.sections.append(fragment)

    def missing(self, what, why):
        self.sections.append(f'<p class="missing"><b>{_esc(what)}</b>: {_esc(why)}</p>')

    def table(self, rows, header, header_titles=None, limit=None, cls=None):
        titles = header_titles or {}
        head = "".join(_cell(h, "th", title=titles.get(h)) for h in header)
        body = "".join("<tr>" + "".join(_cell(c, limit=limit) for c in r) + "</tr>" for r in rows)
        attr = f' class="{cls}"' if cls else ""
        self.sections.append(f'<div class="scroll"><table{attr}><thead><tr>{head}</tr></thead>'
                             f"<tbody>{body}</tbody></table></div>")

    def pre(self, text):
        self.sections.append(f"<pre>{_esc(text)}</pre>")

    def figure(self, fig, title, height=420):
        """The figure's data and layout inline; the template once per page (render) rather than per figure."""
        fig.update_layout(title=_plot_text(title), height=height, margin=dict(l=60, r=20, t=50, b=50))
        spec = fig.to_plotly_json()
        spec["layout"].pop("template", None)
        self.figures += 1
        fid = f"figure-{self.figures}"
        self.sections.append(f'<div class="figure"><div id="{fid}" style="height:{height}px;width:100%"></div>'
                             f'<script>dltsimPlot("{fid}",{_script_json(spec)})</script></div>')

    def render(self):
        import plotly.io as pio
        style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
                 "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
                 "text-align:left;vertical-align:top}th{background:#f3f3f3}.scroll{overflow-x:auto;max-width:100%}"
                 "pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}"
                 "pre .set{background:#ffe58a;display:inline-block;min-width:100%}"
                 "pre .set::after{content:'   \\2190  --set';color:#8a6d00}"
                 "table.points .label{position:sticky;left:0;background:#fff;box-shadow:1px 0 0 #ccc}"
                 "table.points th.label{background:#f3f3f3}"
                 "table.summary td:nth-child(1),table.summary td:nth-child(3),table.summary td:nth-child(4)"
                 "{white-space:nowrap}"
                 ".missing{color:#a55}.figure{margin:1em 0}.doc{color:#444;margin-top:-.5em}"
                 ".stat{white-space:nowrap}.stat small{color:#777}.legend{font-size:12px;color:#555}"
                 "details{margin:1em 0}summary{cursor:pointer}code{background:#f3f3f3;padding:0 3px}")
        template = _script_json(pio.templates["plotly_white"].to_plotly_json())
        boot = ("const DLTSIM_TEMPLATE=" + template + ";function dltsimPlot(id,fig){Plotly.newPlot(id,fig.data,"
                "Object.assign({template:DLTSIM_TEMPLATE},fig.layout),{displaylogo:false,responsive:true});}")
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{_esc(self.title)}</title><style>{style}</style>"
                f"<script>{_plotly_js()}</script><script>{boot}</script></head><body>"
                f"<h1>{_esc(self.title)}</h1>" + "\n".join(self.sections) + "</body></html>\n")


# ---------------------------------------------------------------- a run

def run_report(path):
    """The HTML page of one run's result file."""
    from .result import load
    go = _plotly()
    r = load(path)
    resolved, supports = _file_extras(path)
    scen = _scenario_dict(resolved or r.effective_yaml)
    page = _Page(f"dltsim run: {os.path.basename(path)}")
    prov = r.provenance
    page.text(f"status {prov.get('status')}, seed {prov.get('seed')}, dltsim {prov.get('dltsim_version')} "
              f"({prov.get('git_commit')}), end: {prov.get('end_reason', '')}")
    page.text("tables: " + ", ".join(f"{t} ({r.rows(t)} rows)" for t in r.tables))

    page.heading("Summary")
    page.table([(k, v, r.summary_units.get(k, ""), _support_text(supports.get(k)),
                 r.summary_notes.get(k, "") or r.summary_docs.get(k, "")) for k, v in r.summary.items()],
               ["name", "value", "unit", "support", "doc"],
               {"support": "the values it can take, when not any real number"}, cls="summary")

    tables = set(r.tables)
    windows = _attack_windows(scen, r.summary.get("end_time_s"))
    if tables & {"blocks", "miners", "arrivals"}:
        _chain_figures(page, r, tables, _region_names(r, tables, scen), windows, go)
    if "decisions" in tables:
        _bft_figures(page, r, windows, go)
    if "transactions" in tables or "mempool" in tables:
        _transaction_figures(page, r, tables, windows, go)
    if "origin_guesses" in tables:
        _privacy_figures(page, r, go)
    for name, owners in _attack_tables(r, scen).items():
        if name not in _PRIVACY_TABLES:
            _attack_section(page, r, name, owners, windows, go)
    if r.ledgers:
        _ledger_sections(page, r, go)

    _scenario_section(page, r, resolved, prov.get("overrides", ""))
    page.heading("Provenance")
    page.table([(k, v) for k, v in prov.items()], ["key", "value"])
    return page.render()


def _ledger_sections(page, r, go):
    """A run of several ledgers (docs/interconnect.md): the bridges' tables, then each ledger's
    figures in turn, as a one-ledger run's page has them."""
    bridges = [t for t in r.tables]
    if bridges:
        page.heading("Bridges")
        for name in bridges:
            t = r.table(name)
            page.heading(f"{name} ({len(t)} rows)", 3)
            doc = r._meta.get(name, {}).get("doc", "")
            if doc:
                page.text(doc, "doc")
            page.table([tuple(row) for row in t.head(20).itertuples(index=False)], list(t.columns))
    for name in r.ledgers:
        ledger = r.ledger(name)
        scen = _scenario_dict(ledger.resolved_yaml or ledger.effective_yaml)
        page.heading(f"Ledger {name}")
        page.text(f"seed {ledger.provenance.get('seed')}, scenario {ledger.provenance.get('scenario_name')}; "
                  "its summary values are the run's with the prefix " + name + "_")
        tables = set(ledger.tables)
        windows = _attack_windows(scen, ledger.summary.get("end_time_s"))
        if tables & {"blocks", "miners", "arrivals"}:
            _chain_figures(page, ledger, tables, _region_names(ledger, tables, scen), windows, go)
        if "transactions" in tables or "mempool" in tables:
            _transaction_figures(page, ledger, tables, windows, go)
        for table, owners in _attack_tables(ledger, scen).items():
            if table not in _PRIVACY_TABLES:
                _attack_section(page, ledger, table, owners, windows, go)


def _file_extras(path):
    """What Result does not read: the resolved scenario and each summary value's support."""
    import h5py
    with h5py.File(path, "r") as f:
        prov = f["provenance"]
        resolved = _text(prov["resolved_yaml"][()]) if "resolved_yaml" in prov else ""
        supports = {k[:-len(".support")]: _text(v) for k, v in f["summary"].attrs.items() if k.endswith(".support")}
    return resolved, supports


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def _attacks_of(scen):
    attacks = scen.get("attacks")
    return [a if isinstance(a, dict) else {} for a in attacks] if isinstance(attacks, list) else []


def _scenario_dict(text):
    from . import _dltsim
    try:
        scen = _dltsim.yaml_to_python(text) if text else {}
    except ValueError:  # a damaged embedded scenario: the page goes on without what it would tell
        return {}
    return scen if isinstance(scen, dict) else {}


def _support_text(support):
    return "" if support in (None, "", "real") else support


def _seconds(value):
    """A time from the scenario (a number of seconds or a quantity such as "1 h") in seconds, or None."""
    from . import _dltsim
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    q = _dltsim.parse_quantity(str(value))
    return float(q[0]) if q and q[1] == "s" else None


def _attack_windows(scen, end_s):
    """(label, start s, end s) of each attack the scenario switches on; no end: until the run's end."""
    end_s = end_s if isinstance(end_s, (int, float)) and math.isfinite(end_s) else None
    windows = []
    for i, a in enumerate(_attacks_of(scen)):
        if not a or a.get("enabled", True) in (False, "false"):
            continue
        start = _seconds(a.get("start")) or 0.0
        end = _seconds(a.get("end"))
        windows.append((f"{a.get('attack', '?')} (attacks[{i}])", start, end if end is not None else end_s))
    return windows


def _mark_attacks(fig, windows):
    """Each attack's active window as a shaded band named after it."""
    for label, start, end in windows:
        if end is None or end <= start:
            continue
        fig.add_vrect(x0=start, x1=end, fillcolor="#f4a261", opacity=0.15, line_width=0, layer="below",
                      annotation_text=_plot_text(label), annotation_position="top left",
                      annotation_font=dict(size=11, color="#9a4f12"))


def _region_names(r, tables, scen):
    """Region index -> name: the regions table, else the resolved scenario's regions, else its preset's."""
    if "regions" in tables and {"index", "name"} <= set(r.regions.columns):
        return dict(zip(r.regions["index"], r.regions.name))
    net = scen.get("network") or {}
    regions = net.get("regions") if isinstance(net, dict) else None
    if not regions and isinstance(net, dict) and net.get("preset"):
        from .api import presets
        regions = next((p.get("regions") for p in presets() if p["name"] == net["preset"]), None)
    return {i: reg["name"] for i, reg in enumerate(regions or []) if isinstance(reg, dict) and "name" in reg}


def _cdf(values):
    """(x, y) of the empirical CDF through at most _CDF_POINTS of the sorted values."""
    d = np.sort(np.asarray(values, dtype=np.float64))
    n = len(d)
    idx = np.unique(np.linspace(0, n - 1, min(n, _CDF_POINTS)).round().astype(int))
    return d[idx], (idx + 1) / n


def _chain_figures(page, r, tables, region_names, windows, go):
    page.heading("Propagation")
    if "arrivals" in tables and len(r.arrivals):
        arr = r.arrivals
        fig = go.Figure()
        x, y = _cdf(arr.delay_s.to_numpy())
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name="all nodes"))
        if "nodes" in tables and "node" in arr.columns:
            regions = r.nodes.set_index("id").region
            for reg, g in arr.groupby(arr.node.map(regions)):
                x, y = _cdf(g.delay_s.to_numpy())
                label = region_names.get(reg, f"region {reg}")
                fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=_plot_text(label), line=dict(width=1)))
        fig.update_xaxes(title="time since the block was produced (s)")
        fig.update_yaxes(title="fraction of (block, node) arrivals")
        page.figure(fig, "Block propagation: CDF overall and by region")
    else:
        page.missing("Propagation", "the run did not record arrivals (add arrivals to output.record)")

    page.heading("Block tree and forks over time")
    if "blocks" in tables and len(r.blocks):
        b = r.blocks
        fig = go.Figure()
        main = b[b.on_main_chain == 1]
        stale = b[b.on_main_chain != 1]
        fig.add_trace(go.Scatter(x=main.time_s, y=main.height, mode="markers", name="main chain",
                                 marker=dict(size=4)))
        fig.add_trace(go.Scatter(x=stale.time_s, y=stale.height, mode="markers", name="stale",
                                 marker=dict(size=7, symbol="x", color="crimson")))
        _mark_attacks(fig, windows)
        fig.update_xaxes(title="time produced (s)")
        fig.update_yaxes(title="height")
        page.figure(fig, f"Blocks: {len(main)} on the main chain, {len(stale)} stale")
    else:
        page.missing("Block tree", "the run did not record blocks")

    page.heading("Mining share against power")
    if "miners" in tables and len(r.miners) and r.miners.blocks_main.sum() > 0:
        m = r.miners
        share = m.blocks_main / m.blocks_main.sum()
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=m.power_share, y=share, mode="markers", name="miners",
                                 text=[f"node {n}" for n in m.node]))
        top = float(max(m.power_share.max(), share.max()))
        fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name="share = power",
                                 line=dict(dash="dash", color="grey")))
        fig.update_xaxes(title="power share")
        fig.update_yaxes(title="share of main-chain blocks")
        page.figure(fig, "Main-chain blocks against power")
    else:
        page.missing("Mining share", "the run did not record miners, or no block reached the main chain")


_TX_TYPES = ("tx_inv", "tx_getdata", "tx", "tx_stem")


def _transaction_figures(page, r, tables, windows, go):
    page.heading("Transactions")
    if "transactions" in tables and len(r.transactions):
        t = r.transactions
        delays = t.confirmation_delay_s.dropna().to_numpy()
        if len(delays):
            fig = go.Figure()
            x, y = _cdf(delays)
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name="confirmed transactions"))
            fig.update_xaxes(title="time from creation to the main-chain block holding it (s)")
            fig.update_yaxes(title="fraction of confirmed transactions")
            page.figure(fig, f"Confirmation delay: {len(delays)} of {len(t)} transactions confirmed")
        else:
            page.missing("Confirmation delay", "no transaction was confirmed")
    else:
        page.missing("Confirmation delay", "the run did not record transactions")
    if "mempool" in tables and len(r.mempool):
        m = r.mempool
        fig = go.Figure()
        for node, g in m.groupby("node"):
            fig.add_trace(go.Scatter(x=g.time_s, y=g.bytes, mode="lines", name=f"node {node}", line=dict(width=1)))
        _mark_attacks(fig, windows)
        fig.update_xaxes(title="simulated time (s)")
        fig.update_yaxes(title="mempool (bytes)")
        page.figure(fig, "Mempools of the sampled nodes over time")
    if "messages" in tables and len(r.messages):
        msg = r.messages
        kind = ["transaction relay" if name in _TX_TYPES else "blocks and other" for name in msg.type]
        fig = go.Figure()
        fig.add_trace(go.Bar(x=list(msg.type), y=msg.bytes, text=kind, marker=dict(
            color=["#1f77b4" if k == "transaction relay" else "#aaaaaa" for k in kind])))
        tx_bytes = float(msg.bytes[[name in _TX_TYPES for name in msg.type]].sum())
        total = float(msg.bytes.sum())
        fig.update_xaxes(title="message type")
        fig.update_yaxes(title="bytes sent")
        share = f"{100 * tx_bytes / total:.1f} %" if total > 0 else "no bytes"
        page.figure(fig, f"Bandwidth by message type: transaction relay {share} of all bytes")


_PRIVACY_TABLES = {"origin_guesses", "tx_observations"}
_ESTIMATORS = ("first_timestamp", "reporting_centre", "timing_fit")


def _privacy_figures(page, r, go):
    """Who the observing attacks named as each transaction's origin, and how well (docs/privacy.md)."""
    page.heading("Privacy of transaction origins")
    labels = sorted({k[:-len("_transactions")] for k in r.summary
                     if k.endswith("_transactions") and f"{k[:-len('_transactions')]}_first_timestamp_precision" in r.summary})
    rows = []
    for label in labels:
        for est in _ESTIMATORS:
            get = r.summary.get
            rows.append((label, est, get(f"{label}_{est}_precision"), get(f"{label}_{est}_recall"),
                         get(f"{label}_{est}_node_precision"), get(f"{label}_{est}_nodes_linked_share"),
                         get(f"{label}_{est}_correct_delay_median_s")))
    page.table(rows, ["observer", "estimator", "precision", "recall (linked share)", "node precision",
                      "origin nodes linked", "right guess after (median, s)"],
               {"recall (linked share)": "share of the honest transactions linked to their origin's address",
                "node precision": "Dandelion++'s expected precision: per origin node, right guesses over guesses naming it"})
    fig = go.Figure()
    for label in labels:
        fig.add_trace(go.Bar(x=list(_ESTIMATORS), y=[r.summary.get(f"{label}_{e}_recall") for e in _ESTIMATORS],
                             name=_plot_text(f"{label}: recall")))
        fig.add_trace(go.Bar(x=list(_ESTIMATORS), y=[r.summary.get(f"{label}_{e}_precision") for e in _ESTIMATORS],
                             name=_plot_text(f"{label}: precision")))
    fig.update_yaxes(title="share", range=[0, 1])
    page.figure(fig, "Origin estimators: precision and recall")
    g = r.table("origin_guesses")
    right = g[g.correct == 1]
    if len(right):
        fig = go.Figure()
        for e, sub in right.groupby("estimator"):
            y = np.linspace(0, 1, min(len(sub), 500))  # quantiles: the page stays small
            x = np.quantile(sub.delay_s.to_numpy(), y)
            name = _ESTIMATORS[e] if e < len(_ESTIMATORS) else str(e)
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name))
        fig.update_xaxes(title="time from creation to the report the right guess waited for (s)")
        fig.update_yaxes(title="fraction of right guesses")
        page.figure(fig, f"Time to a right guess: {len(right)} right guesses")
    else:
        page.missing("Time to a right guess", "no guess was right")
    if "tx_observations" in set(r.tables):
        o = r.table("tx_observations")
        page.text(f"tx_observations: {len(o)} sightings of {o.tx.nunique() if len(o) else 0} sampled transactions "
                  "(kind 0 announced, 1 body, 2 stem, 3 on a path, 4 matched by size)", "doc")
        _table_preview(page, r, "tx_observations", o)


def _bft_figures(page, r, windows, go):
    page.heading("Decisions over time")
    d = r.decisions
    honest = d[d.honest == 1]
    if len(honest):
        first = honest.groupby("height").time_s.min().sort_values()
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=first.to_numpy(), y=np.arange(1, len(first) + 1), mode="lines",
                                 line=dict(shape="hv"), name="heights committed (first honest replica)"))
        _mark_attacks(fig, windows)
        fig.update_xaxes(title="simulated time (s)")
        fig.update_yaxes(title="heights committed")
        page.figure(fig, "Commits over time")
    else:
        page.missing("Decisions", "no honest replica committed anything")
    if len(r.safety_violations):
        page.heading("Safety violations")
        page.table(r.safety_violations.head(_PREVIEW_ROWS).itertuples(index=False), list(r.safety_violations.columns))


def _attack_tables(r, scen):
    """{table: attacks declaring it} for the recorded tables that are neither the run's protocol's
    (from the registry) nor the runtime's."""
    from . import _dltsim
    from .api import attacks, protocols
    consensus = scen.get("consensus")
    protocol = consensus.get("protocol") if isinstance(consensus, dict) else None
    registry = protocols()
    own = next((set(p["tables"]) for p in registry if p["name"] == protocol), None)
    if own is None:  # protocol unknown here: no protocol's table counts as an attack's
        own = set().union(*(p["tables"] for p in registry))
    used = {a.get("attack") for a in _attacks_of(scen)}
    owners = {}
    for a in attacks():
        for t in a["tables"]:
            owners.setdefault(t, []).append(a["name"])
    out = {}
    runtime = set(_dltsim.catalog()["runtime_tables"])
    for t in r.tables:
        if t in owners and t not in own | runtime:
            out[t] = [a for a in owners[t] if a in used] or owners[t]
    return out


def _attack_section(page, r, name, owners, windows, go):
    page.heading(f"Attack table: {name} ({', '.join(owners)})")
    doc = r._meta.get(name, {}).get("doc", "")
    if doc:
        page.text(doc, "doc")
    t = r.table(name)
    if not len(t):
        page.missing(name, "the table has no rows")
    elif "time_s" in t.columns:
        _attack_time_figure(page, r, name, t, windows, go)
    else:
        _table_preview(page, r, name, t)


def _attack_time_figure(page, r, name, t, windows, go):
    units = r.units(name)
    numeric = [c for c in t.columns if c not in ("time_s", "attack", "node")
               and pd.api.types.is_numeric_dtype(t[c])][:4]
    fig = go.Figure()
    for c in numeric:
        label = f"{c} ({units[c]})" if units.get(c) else c
        fig.add_trace(go.Scatter(x=t.time_s, y=t[c], mode="lines", line=dict(shape="hv"), name=_plot_text(label)))
    _mark_attacks(fig, windows)
    fig.update_xaxes(title="simulated time (s)")
    page.figure(fig, f"{name} over time")


def _table_preview(page, r, name, t):
    """A table with no time column, as a table: its first rows, units in the header, docs as titles."""
    units, docs = r.units(name), r.docs(name)
    header = [f"{c} ({units[c]})" if units.get(c) else c for c in t.columns]
    more = f"; the first {_PREVIEW_ROWS}" if len(t) > _PREVIEW_ROWS else ""
    page.text(f"{len(t)} rows{more}")
    page.table(t.head(_PREVIEW_ROWS).itertuples(index=False), header,
               {h: docs.get(c, "") for h, c in zip(header, t.columns)}, limit=_CELL_CHARS)


def _scenario_section(page, r, resolved, overrides):
    """The scenario that ran (every default filled in) with the --set lines marked; the file as written folded."""
    page.heading("Scenario")
    shown = resolved or r.effective_yaml
    sets = [o for o in str(overrides or "").splitlines() if o.strip()]
    spans = _yaml_spans(shown, [o.split("=", 1)[0].strip() for o in sets])
    what = "resolved: every default filled in" if resolved else "after the overrides"
    if sets:
        unmarked = " (no line of its own below)"
        items = "".join(f"<li><code>{_esc(o)}</code>{'' if o.split('=', 1)[0].strip() in spans else unmarked}</li>"
                        for o in sets)
        page.raw(f"<p>Overrides (--set), highlighted in the scenario below ({_esc(what)}):</p><ul>{items}</ul>")
    else:
        page.text(f"No --set overrides. The scenario ({what}):")
    marked = {line for first, last in spans.values() for line in range(first, last + 1)}
    lines = [f'<span class="set">{_esc(t)}</span>' if i in marked else _esc(t)
             for i, t in enumerate(shown.splitlines())]
    page.raw('<pre class="scenario">' + "\n".join(lines) + "</pre>")
    page.raw(f"<details><summary>The scenario file as written ({_esc(r.provenance.get('scenario_name', ''))})"
             f"</summary><pre>{_esc(r.scenario_yaml)}</pre></details>")


_KEY_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _yaml_spans(text, paths):
    """{key path: (first line, last line)} (0-based) of the entries the paths name in the YAML text."""
    import yaml
    if not paths:
        return {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes with their lines; aliases not expanded
    except (yaml.YAMLError, RecursionError):
        return {}
    spans = {}
    for p in paths:
        parts = [int(i) if i else k for k, i in _KEY_PART.findall(p)]
        span = _yaml_find(root, parts)
        if span:
            spans[p] = span
    return spans


def _yaml_find(node, parts):
    import yaml
    first = None
    for part in parts:
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode) and part < len(node.value):
            node = node.value[part]
            first = node.start_mark.line
        elif isinstance(part, str) and isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
            if hit is None:
                return None
            first, node = hit[0].start_mark.line, hit[1]
        else:
            return None
    return (first, max(first, _yaml_last_line(node))) if first is not None else None


def _yaml_last_line(node):
    """The last line a node's text is on (a block collection's end mark is the next entry's start)."""
    import yaml
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _yaml_last_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _yaml_last_line(node.value[-1])
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


# ---------------------------------------------------------------- a study

def study_report(path):
    """The HTML page of a collected study: each metric against each axis, mean with 95 % intervals."""
    from .study_collect import load_study
    go = _plotly()
    s = load_study(path)
    labels = _study_labels(s)
    pts = _points_frame(s, labels)
    info = _metric_info(s)
    page = _Page(f"dltsim study: {s.name}")
    page.text(f"{len(labels)} points, {len(s.runs)} runs ({s.attrs.get('runs_ok')} ok); "
              f"axes ({s.axes_kind}): {', '.join(s.axis_keys) or 'none'}; dltsim {s.attrs.get('dltsim_version')} "
              f"({s.attrs.get('git_commit')})")
    constant = [m for m in s.metrics if _is_constant(info.loc[m], pts[pts.metric == m])]
    if constant:
        _constant_table(page, pts, info, constant)
    plotted = [m for m in s.metrics if m not in constant]
    for m in plotted:
        _metric_section(page, s, pts[pts.metric == m], m, info.loc[m], go)
    _points_table(page, s, pts, info, plotted, constant)
    page.heading("Study file")
    page.pre(s.attrs.get("study_yaml", ""))
    return page.render()


def _study_labels(s):
    """A short name per point: the file's (dltsim-study-2), else made as study_spec makes them."""
    if "labels" in s.attrs:
        return list(s.labels)
    from .study_spec import default_label
    points = json.loads(s.attrs.get("points", "[]"))
    labels = [default_label(p, s.axis_keys) for p in points]
    return labels if len(set(labels)) == len(labels) else [f"{i}: {lab}" for i, lab in enumerate(labels)]


def _points_frame(s, labels):
    """The points table with the columns dltsim-study-1 files lack (label, interval)."""
    pts = s.points.copy()
    if "label" not in pts.columns:
        pts.insert(1, "label", [labels[p] if p < len(labels) else str(p) for p in pts.point])
    if "interval" not in pts.columns:
        pts["interval"] = np.where(pts["count"] > 1, "student-t", "none")
    return pts


def _metric_info(s):
    """unit, support, constant, derived, doc per metric (empty where the file has no /metrics)."""
    info = s.metric_info.set_index("metric").reindex(s.metrics)
    defaults = {"unit": "", "support": "real", "constant": np.nan, "derived": "", "doc": ""}
    for c, v in defaults.items():
        info[c] = info[c].fillna(v) if c in info.columns else v
    return info


def _is_constant(row, mp):
    """The file says so, or (older files) every point has the same finite mean and no spread."""
    if row["constant"] == 1:
        return True
    means = mp["mean"].to_numpy(dtype=float)
    se = mp["se"].to_numpy(dtype=float)
    return (len(means) > 0 and bool(np.isfinite(means).all()) and bool((means == means[0]).all())
            and bool(((se == 0) | np.isnan(se)).all()))


def _constant_table(page, pts, info, constant):
    page.heading("Constant metrics")
    page.text("The same value in every run: not plotted.")
    rows = []
    for m in constant:
        means = pts[pts.metric == m]["mean"]
        finite = means[np.isfinite(means)]
        value = _fmt(finite.iloc[0]) if len(finite) else "NaN"
        if len(finite) < len(means):
            value += f" (NaN at {len(means) - len(finite)} of {len(means)} points)"
        rows.append((m, value, info.loc[m, "unit"], info.loc[m, "doc"]))
    page.table(rows, ["metric", "value", "unit", "doc"])


def _metric_section(page, s, mp, m, row, go):
    page.heading(m)
    doc = _metric_doc(row)
    if doc:
        page.raw(f'<p class="doc">{doc}</p>')
    if not np.isfinite(mp["mean"].to_numpy(dtype=float)).any():
        page.missing(m, "no run gave a finite value")
        return
    ytitle = _plot_text(f"{m} ({row['unit']})" if row["unit"] else m)
    if s.axes_kind in ("grid", "zip") and s.axis_keys:
        for axis in _plotted_axes(s, mp):
            others = [k for k in s.axis_keys if k != axis] if s.axes_kind == "grid" else []
            fig = _against_axis(mp, axis, others, go)
            fig.update_yaxes(title=ytitle)
            page.figure(fig, f"{m} against {axis} (mean, 95 % interval)")
    else:
        fig = _against_points(mp, go)
        fig.update_yaxes(title=ytitle)
        page.figure(fig, f"{m} by point (mean, 95 % interval)")


def _metric_doc(row):
    parts = [_esc(row["doc"])] if row["doc"] else []
    if row["unit"]:
        parts.append(f"unit: <b>{_esc(row['unit'])}</b>")
    if row["support"] not in ("", "real"):
        parts.append(f"support: {_esc(row['support'])}")
    if row["derived"]:
        parts.append(f"derived: <code>{_esc(row['derived'])}</code>")
    return " · ".join(parts)


def _plotted_axes(s, mp):
    """The axes that take more than one value (a one-value axis says nothing); at least one."""
    varying = [k for k in s.axis_keys if mp[k].astype(str).nunique() > 1]
    return varying or s.axis_keys[:1]


def _is_numeric_axis(col):
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _axis_text(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return _BASE
    return _fmt(v)


def _error_bars(g):
    """The 95 % interval around the mean: asymmetric, since intervals are cut to the metric's support."""
    mean = g["mean"].to_numpy(dtype=float)
    up = np.clip(g["ci95_high"].to_numpy(dtype=float) - mean, 0, None)
    down = np.clip(mean - g["ci95_low"].to_numpy(dtype=float), 0, None)
    return dict(type="data", symmetric=False, array=up, arrayminus=down, visible=True, thickness=1.2)


def _hover(g):
    return [f"{_plot_text(lab)}<br>mean {_fmt(mu, 4)} [{_fmt(lo, 4)}, {_fmt(hi, 4)}]<br>"
            f"{_plot_text(_INTERVAL_SHORT.get(iv, iv))}, n {n}"
            for lab, mu, lo, hi, iv, n in zip(g.label, g["mean"], g.ci95_low, g.ci95_high, g.interval, g["count"])]


def _categories(fig, raw):
    """Categories at positions 0..n-1 in the given order, their ticks cut short. Positions rather than
    a plotly category axis: traces that share a category sit side by side (_offset), not on top of
    each other (plotly.js 2.6 cannot group scatter traces)."""
    n = len(raw)
    ticks = [_plot_text(_short(v, _TICK_CHARS)) for v in raw]
    fig.update_xaxes(tickmode="array", tickvals=list(range(n)), ticktext=ticks, range=[-0.5, n - 0.5],
                     showgrid=False, zeroline=False)


def _offset(j, k):
    """Where trace j of k sits around its category's position."""
    return (j - (k - 1) / 2) * min(0.12, 0.6 / k) if k > 1 else 0.0


def _against_axis(mp, axis, others, go):
    """One trace per combination of the other axes: a line over a numeric axis (sorted by x),
    markers without line over a categorical one (text, booleans)."""
    fig = go.Figure()
    numeric = _is_numeric_axis(mp[axis])
    # One key: group by it alone (a one-element list is deprecated in pandas as a grouper).
    groups = mp.groupby(others if len(others) > 1 else others[0], sort=False) if others else [((), mp)]
    groups = [(key, g) for key, g in groups if np.isfinite(g["mean"].to_numpy(dtype=float)).any()]
    cats = list(dict.fromkeys(_axis_text(v) for v in mp[axis]))
    for j, (key, g) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{k.rsplit('.', 1)[-1]}={_short(_axis_text(v), _TICK_CHARS)}" for k, v in zip(others, key))
        if numeric:
            g = g.sort_values(axis)
            x = g[axis]
        else:
            x = [cats.index(_axis_text(v)) + _offset(j, len(groups)) for v in g[axis]]
        fig.add_trace(go.Scatter(x=x, y=g["mean"], mode="lines+markers" if numeric else "markers",
                                 name=_plot_text(name or "mean"), error_y=_error_bars(g), text=_hover(g),
                                 hoverinfo="text+name", marker=dict(size=8, symbol=_SYMBOLS[j % len(_SYMBOLS)])))
    if not numeric:
        _categories(fig, cats)
    fig.update_xaxes(title=_plot_text(axis))
    fig.update_layout(legend_title_text=_plot_text(", ".join(others)), showlegend=bool(others))
    return fig


def _against_points(mp, go):
    """Explicit points need not share axes: each point by its short label, as a category."""
    fig = go.Figure()
    g = mp.sort_values("point")
    fig.add_trace(go.Scatter(x=list(range(len(g))), y=g["mean"], mode="markers", name="mean",
                             error_y=_error_bars(g), text=_hover(g), hoverinfo="text", marker=dict(size=9)))
    _categories(fig, list(g.label))
    fig.update_xaxes(title="point (label)")
    fig.update_layout(showlegend=False)
    return fig


def _points_table(page, s, pts, info, plotted, constant):
    """Per point (rows): its label and axis values, then per metric the mean, SE, interval and method."""
    page.heading("Points")
    if constant:
        page.text("Constant metrics are in their table above.")
    first = pts.drop_duplicates("point").sort_values("point").to_dict("records")
    stats = {(r["point"], r["metric"]): r for r in pts.to_dict("records")}
    # The label first and sticky: a wide table scrolls sideways under it.
    head = _cell("label", "th", cls="label") + "".join(_cell(h, "th") for h in ["point"] + s.axis_keys)
    head += "".join(_cell(f"{m} ({info.loc[m, 'unit']})" if info.loc[m, "unit"] else m, "th",
                          title=f"{m}: {info.loc[m, 'doc']}" if info.loc[m, "doc"] else m) for m in plotted)
    body = []
    for r in first:
        cells = [_cell(r["label"], limit=_CELL_CHARS, cls="label"), _cell(r["point"])]
        cells += [_cell(_axis_text(r[k]), limit=_CELL_CHARS) for k in s.axis_keys]
        cells += [_stat_cell(stats.get((r["point"], m))) for m in plotted]
        body.append("<tr>" + "".join(cells) + "</tr>")
    page.raw(f'<div class="scroll"><table class="points"><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table></div>')
    used = [iv for iv in dict.fromkeys(pts[pts.metric.isin(plotted)].interval)]
    page.raw(f'<p class="legend">{_interval_legend(used)}</p>')


def _stat_cell(r):
    """mean, SE, [low, high] and the interval method (short; the legend explains it) with the count."""
    if r is None:
        return "<td></td>"
    if not math.isfinite(r["mean"]):
        return '<td class="stat">NaN<br><small>no finite value</small></td>'
    se = f"<br>SE {_esc(_fmt(r['se'], 3))}" if math.isfinite(r["se"]) else ""
    ci = (f"<br>[{_esc(_fmt(r['ci95_low'], 4))}, {_esc(_fmt(r['ci95_high'], 4))}]"
          if math.isfinite(r["ci95_low"]) else "")
    method = _INTERVAL_SHORT.get(r["interval"], r["interval"])
    return (f'<td class="stat" title="{_esc(r["interval"])}"><b>{_esc(_fmt(r["mean"], 5))}</b>{se}{ci}'
            f"<br><small>{_esc(method)}, n {_esc(r['count'])}</small></td>")


def _interval_legend(methods):
    try:
        from .study_collect import INTERVAL_DOCS
    except ImportError:
        INTERVAL_DOCS = {}
    items = "; ".join(f"<b>{_esc(_INTERVAL_SHORT.get(m, m))}</b>: {_esc(INTERVAL_DOCS.get(m, m))}" for m in methods)
    return ("Each cell: the mean (bold), its standard error, the 95 % interval of the mean, the interval's "
            f"method and the replications with a finite value (n). Methods: {items}.")


# ---------------------------------------------------------------- the command

def report(path, out=None):
    """Writes the report of a run or study file; returns the HTML path (default: beside it)."""
    import h5py
    path = os.fspath(path)
    with h5py.File(path, "r") as f:
        schema = f.attrs.get("schema", b"")
    schema = schema.decode() if isinstance(schema, bytes) else str(schema)
    text = study_report(path) if schema.startswith("dltsim-study") else run_report(path)
    out = out or os.path.splitext(path)[0] + ".html"
    tmp = out + f".{os.getpid()}.partial"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
    return out


def main(argv=None):
    import argparse
    import sys
    p = argparse.ArgumentParser(prog="dltsim report", description="a self-contained HTML page for a run or a study")
    p.add_argument("file", help="a run's result file or a collected study file (.h5)")
    p.add_argument("-o", "--output", help="the HTML file (default: beside the input, .html)")
    args = p.parse_args(argv)
    try:
        print(report(args.file, args.output))
    except (OSError, ValueError, KeyError) as e:
        print(f"dltsim: error: {args.file}: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
