"""The atlas page (`dltsim atlas report`): one self-contained HTML page, like `dltsim report`.

- the matrix: one row per (threat, mitigation), grouped by X.1401 clause, one cell per attacker
  strength: the relative reduction of harm with its 95 % interval (or the difference, when there
  was no harm to reduce), coloured only when the interval excludes zero, and the mitigation's cost;
- per threat: the impact against the attacker strength, without and with each mitigation (means
  with 95 % intervals), the closed form where there is one, and the provenance of every cell (the
  study file, its points and the base scenario);
- the closed forms against the measurements, and the X.1401 / X.1402 / X.1404 references.
"""

import html
import math
import os

from .report_html import _Page, _plot_text, _plotly
from .threats import X1401, X1402, X1404


def _f(v, digits=3):
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.{digits}g}"


def _pct(v):
    return "–" if not math.isfinite(v) else f"{100 * v:+.0f} %"


def _cell_html(c):
    """One matrix cell: the reduction [interval], or the difference when off is 0; a title with the detail."""
    if math.isfinite(c.reduction):
        text = f"{_pct(c.reduction)} [{_pct(c.reduction_low)}, {_pct(c.reduction_high)}]"
        lo, hi = c.reduction_low, c.reduction_high
    else:
        text = f"Δ {_f(c.diff_mean)} [{_f(c.diff_low)}, {_f(c.diff_high)}]"
        # The improvement is -(on - off) when a larger impact is harm, +(on - off) when a smaller one is.
        lo, hi = (-c.diff_high, -c.diff_low) if c.harm == "higher" else (c.diff_low, c.diff_high)
    cls = "zero"
    if math.isfinite(lo) and math.isfinite(hi):
        cls = "better" if lo > 0 else ("worse" if hi < 0 else "zero")
    elif math.isfinite(c.reduction) or math.isfinite(c.diff_mean):
        cls = "zero" if (c.diff_mean == 0) else "nointerval"
    cost = ""
    if c.cost_metric:
        cost = (f"<br><small>cost ({html.escape(c.cost_kind)}): Δ {html.escape(c.cost_metric)} "
                f"{_f(c.cost_diff)} [{_f(c.cost_low)}, {_f(c.cost_high)}] {html.escape(c.cost_unit)}</small>")
    theory = ""
    if c.theory_metric:
        theory = (f"<br><small>closed form {_f(c.theory_off, 4)} → {_f(c.theory_on, 4)}, measured "
                  f"{_f(c.off_mean, 4)} → {_f(c.on_mean, 4)}</small>")
    title = (f"{c.impact_metric}: off {_f(c.off_mean, 4)} [{_f(c.off_low, 4)}, {_f(c.off_high, 4)}], on "
             f"{_f(c.on_mean, 4)} [{_f(c.on_low, 4)}, {_f(c.on_high, 4)}]; paired difference {_f(c.diff_mean, 4)} "
             f"[{_f(c.diff_low, 4)}, {_f(c.diff_high, 4)}] over {int(c.pairs)} replications; points "
             f"{c.label_off} / {c.label_on} of {c.study}" + (f"; {c.note}" if c.note else ""))
    return (f'<td class="cell {cls}" title="{html.escape(title)}"><b>{html.escape(str(c.strength_text))}</b>: '
            f"{html.escape(text)}{cost}{theory}</td>")


def _matrix(page, threats, cells):
    page.heading("The matrix: threats by mitigations")
    page.text("Each cell: at one attacker strength (bold), the relative reduction of the harm the mitigation "
              "buys, s (off - on) / |off| (s = +1 when a larger impact is harm), with its 95 % interval from the "
              "paired replications (common random numbers). Green: the interval is above zero; red: below (the "
              "mitigation makes it worse); grey: it includes zero. Δ: the difference on - off, where nothing "
              "was harmed without the mitigation. Hover a cell for the means, the points and the study file.")
    rows = []
    max_strengths = max((len(cells[cells.threat == t.id].strength_text.unique()) for t in threats), default=1)
    for clause in X1401:
        group = [t for t in threats if t.x1401 == clause]
        if not group:
            continue
        rows.append(f'<tr><th colspan="{max_strengths + 3}">X.1401 {html.escape(clause)} '
                    f"{html.escape(X1401[clause])}</th></tr>")
        for t in group:
            for m in t.mitigations:
                mc = cells[(cells.threat == t.id) & (cells.mitigation == m.id)]
                tds = "".join(_cell_html(c) for _, c in mc.iterrows())
                tds += "<td></td>" * (max_strengths - len(mc))
                rows.append(f'<tr><td><a href="#threat-{html.escape(t.id)}">{html.escape(t.id)}</a><br><small>'
                            f"{html.escape(t.impact['metric'])} ({html.escape(t.impact['harm'])} is harm)</small></td>"
                            f"<td>{html.escape(m.title)}<br><small>X.1402 {html.escape(m.x1402)} "
                            f"{html.escape(X1402[m.x1402])}</small></td>"
                            f"<td><small>{html.escape(t.strength['name'])}</small></td>{tds}</tr>")
    head = "<tr><th>threat</th><th>mitigation</th><th>strength</th>" + "".join(
        f"<th>strength {i + 1}</th>" for i in range(max_strengths)) + "</tr>"
    page.sections.append(f'<div class="scroll"><table class="matrix"><thead>{head}</thead><tbody>{"".join(rows)}'
                         "</tbody></table></div>")


def _curve(page, t, cells, go):
    tc = cells[cells.threat == t.id]
    if tc.empty:
        page.missing(t.id, "no cells (the study has not been collected)")
        return
    numeric = tc.strength.notna().all()
    xs = list(dict.fromkeys(tc.strength if numeric else tc.strength_text))
    fig = go.Figure()
    first = tc.drop_duplicates("strength_text")

    def trace(name, y, lo, hi, dash=None, symbol="circle"):
        err = dict(type="data", symmetric=False,
                   array=[max(h - v, 0) if math.isfinite(h) else 0 for v, h in zip(y, hi)],
                   arrayminus=[max(v - low, 0) if math.isfinite(low) else 0 for v, low in zip(y, lo)])
        fig.add_trace(go.Scatter(x=xs, y=y, name=_plot_text(name), mode="lines+markers", error_y=err,
                                 line=dict(dash=dash), marker=dict(symbol=symbol)))

    trace("off (no mitigation)", list(first.off_mean), list(first.off_low), list(first.off_high))
    for m in t.mitigations:
        mc = tc[tc.mitigation == m.id]
        trace(f"on: {m.id}", list(mc.on_mean), list(mc.on_low), list(mc.on_high), symbol="diamond")
        if m.theory:
            fig.add_trace(go.Scatter(x=xs, y=list(mc.theory_on), name=_plot_text(f"closed form, {m.id}"),
                                     mode="lines", line=dict(dash="dot")))
    if any(m.theory for m in t.mitigations):
        # The closed form without mitigation, from whichever mitigation of the strength carries one.
        theory_off = [g.theory_off.dropna().iloc[0] if g.theory_off.notna().any() else math.nan
                      for _, g in tc.groupby("strength_text", sort=False)]
        fig.add_trace(go.Scatter(x=xs, y=theory_off, name="closed form, off", mode="lines",
                                 line=dict(dash="dot", color="#444")))
    unit = f" [{t.impact['unit']}]" if t.impact["unit"] else ""
    fig.update_layout(xaxis_title=_plot_text(t.strength["name"]), yaxis_title=_plot_text(t.impact["metric"] + unit),
                      xaxis_type=None if numeric else "category")
    page.figure(fig, f"{t.id}: impact against attacker strength", height=360)


def _threat_section(page, t, cells, go, out):
    page.sections.append(f'<h2 id="threat-{html.escape(t.id)}">{html.escape(t.id)}: {html.escape(t.title)}</h2>')
    refs = f"X.1401 {t.x1401} {X1401[t.x1401]}; countered by X.1402 {t.x1402} {X1402[t.x1402]}"
    if t.x1404:
        refs += "; assurance: " + "; ".join(f"X.1404 {c} {X1404[c]}" for c in t.x1404)
    page.text(refs)
    page.text(t.description)
    page.text(f"Impact: {t.impact['metric']} ({t.impact['harm']} is harm): {t.impact['doc']}. Attacks: "
              f"{', '.join(t.attacks)}; protocols: {', '.join(t.protocols)}; networks: {', '.join(t.networks)}.")
    _curve(page, t, cells, go)
    tc = cells[cells.threat == t.id]
    rows = [[c.strength_text, c.mitigation, _f(c.off_mean, 4), _f(c.on_mean, 4),
             f"{_f(c.diff_mean, 4)} [{_f(c.diff_low, 4)}, {_f(c.diff_high, 4)}]",
             f"{_f(c.reduction, 3)} [{_f(c.reduction_low, 3)}, {_f(c.reduction_high, 3)}]", int(c.pairs),
             f"{c.label_off} / {c.label_on}", c.study] for _, c in tc.iterrows()]
    page.table(rows, ["strength", "mitigation", "off", "on", "on - off [95 %]", "reduction [95 %]", "pairs",
                      "points", "study file"])
    for m in t.mitigations:
        page.text(f"{m.id}: {m.doc} Off: {m.off}; on: {m.on}." + (f" Closed form: {m.theory['doc']}." if m.theory
                                                                     else ""))
    if t.not_modelled:
        page.text("Not modelled: " + "; ".join(f"{n['mitigation']} ({n['note']})" for n in t.not_modelled))
    page.text("Scenario: " + (t.base or "inline in the catalogue entry") + f"; catalogue entry threats/{t.id}.yaml. "
              "Sources: " + "; ".join(t.sources))


def atlas_page(threats, cells, checks, size, out):
    go = _plotly()
    commit = cells.dltsim_commit.iloc[0] if len(cells) else ""
    page = _Page(f"dltsim threat atlas ({size} size)")
    page.sections.append("<style>td.cell{font-size:12px;min-width:13em;max-width:20em}td.cell b{white-space:nowrap}"
                         "td.better{background:#d9f2d9}td.worse{background:#f8d7d7}td.zero{background:#f0f0f0}"
                         "td.nointerval{background:#fff}"
                         "table.matrix th[colspan]{background:#e4e9f2}</style>")
    page.text(f"{len(threats)} threats, {sum(len(t.mitigations) for t in threats)} mitigations, {len(cells)} cells; "
              f"dltsim commit {commit}. Made with: dltsim atlas run --size {size} && "
              f"dltsim atlas report --size {size}. "
              "Numbers in atlas.h5 and atlas.csv beside this page.")
    page.text("Frame: ITU-T X.1401 (11/2019) Security threats to distributed ledger technology (clause 6: threats "
              "to protocols, networks, data); X.1402 (07/2020) Security framework for DLT (clause 9: security "
              "capabilities); X.1404 (10/2020) Security assurance for DLT (clause 8: assurance components).")
    _matrix(page, threats, cells)
    if len(checks):
        page.heading("Closed forms beside the measurements")
        page.text("Agreement: |measured - closed form| <= t se + tolerance, t from Student's t with replications - 1 "
                  "degrees of freedom at a family-wise false-alarm rate of 0.001 over all rows; the tolerance is "
                  "the catalogue's (the model's own error).")
        rows = [[r.threat, r.strength, r.mitigation, r.state, r.metric, _f(r.closed_form, 5), _f(r.measured, 5),
                 _f(r.se, 3), _f(r.tolerance, 3), "yes" if r.agrees else "NO"] for _, r in checks.iterrows()]
        page.table(rows, ["threat", "strength", "mitigation", "state", "closed form", "value", "measured", "se",
                          "tolerance", "agrees"])
    for t in threats:
        _threat_section(page, t, cells, go, out)
    return page.render()


def write_report(path, threats, cells, checks, size, out):
    text = atlas_page(threats, cells, checks, size, out)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.partial"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return path
