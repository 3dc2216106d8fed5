"""One self-contained HTML page for a run's result file or a collected study (`dltsim report`).

The page embeds plotly.js (from Debian's python3-plotly) and its data: it opens with no network
access. A figure whose table the run did not record says so instead of being drawn empty.
"""

import html
import json
import os

import numpy as np
import pandas as pd

_CORE_TABLES = {"blocks", "arrivals", "miners", "reorgs", "reorg_depths", "nodes", "regions", "messages",
                "decisions", "safety_violations"}


def _plotly():
    import plotly.graph_objects as go
    import plotly.io as pio
    return go, pio


def _plotly_js():
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


class _Page:
    def __init__(self, title):
        self.title = title
        self.sections = []
        self.figures = 0

    def heading(self, text):
        self.sections.append(f"<h2>{html.escape(text)}</h2>")

    def text(self, text):
        self.sections.append(f"<p>{html.escape(text)}</p>")

    def missing(self, what, why):
        self.sections.append(f'<p class="missing"><b>{html.escape(what)}</b>: {html.escape(why)}</p>')

    def table(self, rows, header):
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in r) + "</tr>" for r in rows)
        self.sections.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def pre(self, text):
        self.sections.append(f"<pre>{html.escape(text)}</pre>")

    def figure(self, fig, title):
        _, pio = _plotly()
        fig.update_layout(title=title, template="plotly_white", height=420, margin=dict(l=60, r=20, t=50, b=50))
        self.figures += 1
        div = pio.to_html(fig, include_plotlyjs=False, full_html=False,
                          config={"displaylogo": False, "responsive": True})
        self.sections.append(f'<div class="figure">{div}</div>')

    def render(self):
        style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
                 "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
                 "text-align:left}pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}"
                 ".missing{color:#a55}.figure{margin:1em 0}")
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}</title><style>{style}</style>"
                f"<script>{_plotly_js()}</script></head><body>"
                f"<h1>{html.escape(self.title)}</h1>" + "\n".join(self.sections) + "</body></html>\n")


def _fmt(v):
    if isinstance(v, float):
        return "NaN" if np.isnan(v) else f"{v:.6g}"
    return str(v)


def run_report(path):
    """The HTML page of one run's result file."""
    from .result import load
    go, _ = _plotly()
    r = load(path)
    page = _Page(f"dltsim run: {os.path.basename(path)}")
    prov = r.provenance
    page.text(f"status {prov.get('status')}, seed {prov.get('seed')}, dltsim {prov.get('dltsim_version')} "
              f"({prov.get('git_commit')}), end: {prov.get('end_reason', '')}")

    page.heading("Summary")
    page.table([(k, v, r.summary_units.get(k, ""), r.summary_notes.get(k, "") or r.summary_docs.get(k, ""))
                for k, v in r.summary.items()], ["name", "value", "unit", "doc"])

    tables = set(r.tables)
    if "blocks" in tables or "miners" in tables or "arrivals" in tables:
        _chain_figures(page, r, tables, go)
    if "decisions" in tables:
        _bft_figures(page, r, go)
    for t in sorted(tables - _CORE_TABLES):
        _attack_figure(page, r, t, go)

    page.heading("Scenario")
    page.pre(r.scenario_yaml)
    page.heading("Provenance")
    page.table([(k, v) for k, v in prov.items()], ["key", "value"])
    return page.render()


def _chain_figures(page, r, tables, go):
    page.heading("Propagation")
    if "arrivals" in tables and len(r.arrivals):
        arr = r.arrivals
        fig = go.Figure()
        d = np.sort(arr.delay_s.to_numpy())
        fig.add_trace(go.Scatter(x=d, y=np.arange(1, len(d) + 1) / len(d), mode="lines", name="all nodes"))
        if "nodes" in tables and "node" in arr.columns:
            regions = r.nodes.set_index("id").region
            names = r.regions.set_index("index").name if "regions" in tables else None
            for reg, g in arr.groupby(arr.node.map(regions)):
                dd = np.sort(g.delay_s.to_numpy())
                label = names.get(reg, reg) if names is not None else reg
                fig.add_trace(go.Scatter(x=dd, y=np.arange(1, len(dd) + 1) / len(dd), mode="lines",
                                         name=f"{label}", line=dict(width=1)))
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


def _bft_figures(page, r, go):
    page.heading("Decisions over time")
    d = r.decisions
    honest = d[d.honest == 1]
    if len(honest):
        first = honest.groupby("height").time_s.min().sort_values()
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=first.to_numpy(), y=np.arange(1, len(first) + 1), mode="lines",
                                 line=dict(shape="hv"), name="heights committed (first honest replica)"))
        fig.update_xaxes(title="simulated time (s)")
        fig.update_yaxes(title="heights committed")
        page.figure(fig, "Commits over time")
    else:
        page.missing("Decisions", "no honest replica committed anything")
    if len(r.safety_violations):
        page.heading("Safety violations")
        page.table(r.safety_violations.head(50).itertuples(index=False), list(r.safety_violations.columns))


def _attack_figure(page, r, name, go):
    t = r.table(name)
    page.heading(f"Attack: {name}")
    if not len(t) or "time_s" not in t.columns:
        page.missing(name, "no rows over time")
        return
    numeric = [c for c in t.columns if c not in ("time_s", "attack", "node") and pd.api.types.is_numeric_dtype(t[c])]
    fig = go.Figure()
    for c in numeric[:4]:
        fig.add_trace(go.Scatter(x=t.time_s, y=t[c], mode="lines", line=dict(shape="hv"), name=c))
    fig.update_xaxes(title="simulated time (s)")
    page.figure(fig, f"{name} over time")


def study_report(path):
    """The HTML page of a collected study: each metric against each axis, mean with 95 % intervals."""
    from .study_collect import load_study
    go, _ = _plotly()
    s = load_study(path)
    page = _Page(f"dltsim study: {s.name}")
    page.text(f"{len(s.points.point.unique())} points, {len(s.runs)} runs ({s.attrs.get('runs_ok')} ok); "
              f"axes ({s.axes_kind}): {', '.join(s.axis_keys) or 'none'}; dltsim {s.attrs.get('dltsim_version')} "
              f"({s.attrs.get('git_commit')})")
    pts = s.points
    for m in s.metrics:
        page.heading(m)
        mp = pts[pts.metric == m]
        if mp["mean"].isna().all():
            page.missing(m, "no run gave a finite value")
            continue
        # A grid or zip: against each axis, one line per combination of the others. Explicit points
        # need not share axes: against the point.
        for axis in (s.axis_keys if s.axes_kind in ("grid", "zip") else [None]):
            fig = go.Figure()
            others = [k for k in s.axis_keys if k != axis] if axis else []
            groups = mp.groupby(others if len(others) > 1 else others[0]) if others else [((), mp)]
            for key, g in groups:
                key = key if isinstance(key, tuple) else (key,)
                label = ", ".join(f"{k}={v}" for k, v in zip(others, key)) or m
                x = g[axis].astype(str) if axis else [_point_label(s, p) for p in g.point]
                err = (g.ci95_high - g["mean"]).fillna(0)
                fig.add_trace(go.Scatter(x=x, y=g["mean"], mode="markers+lines" if axis else "markers", name=label,
                                         error_y=dict(type="data", array=err, visible=True)))
            fig.update_xaxes(title=axis or "point", type="category")
            fig.update_yaxes(title=m)
            page.figure(fig, f"{m} against {axis or 'point'} (mean, 95 % interval)")
    page.heading("Points")
    page.table(s.wide("mean").itertuples(index=False), ["point"] + s.axis_keys + s.metrics)
    page.heading("Study file")
    page.pre(s.attrs.get("study_yaml", ""))
    return page.render()


def _point_label(study, point):
    row = study.points[study.points.point == point].iloc[0]
    values = [f"{k}={row[k]}" for k in study.axis_keys if str(row[k]) not in ("", "None", "nan")]
    return f"{point}: " + ", ".join(values)


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
