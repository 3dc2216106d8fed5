"""The threat catalogue (threats/*.yaml): one file per threat, in the frame of ITU-T's DLT security
Recommendations. Each entry names its X.1401 threat clause, the X.1402 security capability that
counters it, the attack(s) that realise it, the impact metric and which direction is harm, the
attacker strength to sweep, and the mitigations (parameter values off and on, with a cost metric).
`dltsim atlas` turns every entry into a study (dltsim.atlas).

Loading is strict, as for studies: unknown keys, duplicate keys, wrong types, unknown attacks or
protocols and clause numbers that the Recommendations do not have are errors naming
file:line:column and the key.
"""

import glob
import os
import re

from . import _dltsim
from .errors import StudyError
from .study_spec import (_KEY_PATH, _METRIC, _check_scalars, _compose, _fail, _mapping,
                         _plain_value, _show)

# Clauses as published (tables of contents: X.1401 (11/2019), X.1402 (07/2020), X.1404 (10/2020);
# https://www.itu.int/dms_pubrec/itu-t/rec/x/T-REC-X.1401-201911-I!!TOC-HTM-E.htm and the same for
# X.1402-202007 and X.1404-202010). X.1401 groups its threats in three clauses; a threat's own
# name within a clause is the entry's `title`.
X1401 = {"6.1": "Threats to protocols", "6.2": "Threats to networks", "6.3": "Threats to data"}
X1402 = {
    "9.2.1": "Merkle tree", "9.2.2": "Time stamp", "9.2.3": "Digital signature", "9.2.4": "Data encryption",
    "9.2.5": "Security storage",
    "9.3.1": "Routing attack defence", "9.3.2": "Sybil attack defence", "9.3.3": "Eclipse attack defence",
    "9.3.4": "DDoS attack defence",
    "9.4.1": "Consensus mechanism", "9.4.2": "51% attack defence", "9.4.3": "Selfish mining attack defence",
    "9.4.4": "Double spending attack defence",
    "9.5.1": "Identity authentication", "9.5.2": "Authorization", "9.5.3": "Multi-signature",
    "9.5.4": "Smart contract security design",
}
X1404 = {
    "8.1": "Data integrity", "8.2": "Data confidentiality", "8.3": "Credential management",
    "8.4": "Identity proofing of user", "8.5": "Entity authentication", "8.6": "Access control",
    "8.7": "Data obfuscation", "8.8": "Consensus mechanism", "8.9": "Smart contract",
    "8.10": "Personally identifiable information (PII) data protections",
}
SIZES = ("ci", "full")
HARM = {"higher": "a larger value is worse for the defender", "lower": "a smaller value is worse for the defender"}
COST_KINDS = ("latency", "bandwidth", "throughput", "storage", "connections", "none")

THREAT_KEYS = {
    "threat": "the id: letters, digits, '-', the file name without .yaml",
    "title": "a short title (the threat as the literature names it)",
    "x1401": "the X.1401 clause of its threat group: " + ", ".join(f"{k} ({v})" for k, v in X1401.items()),
    "x1402": "the X.1402 clause of the security capability that counters it (9.2.1 to 9.5.4)",
    "x1404": "optional: X.1404 security assurance components it bears on (8.1 to 8.10), a list",
    "description": "what the threat is and how dltsim realises it",
    "sources": "a list of references (authors, title, venue, year)",
    "protocols": "protocols the entry runs on (registered names)",
    "networks": "the reference network(s), as text (a preset name or 'idealised')",
    "attacks": "the attack(s) that realise it (registered names, as in the scenario), or bridge mechanisms",
    "base": "the scenario the studies start from, relative to this file",
    "scenario": "the scenario inline (instead of base)",
    "set": "overrides for every run, {key.path: value}",
    "impact": "the impact metric: {metric, unit, harm: higher|lower, doc}",
    "strength": "the attacker strength to sweep: {key, name, unit, ci: [values], full: [values]}",
    "size": "run size per atlas size: {ci: {replications, set}, full: {replications, set}}",
    "mitigations": "a list of {id, title, x1402, off, on, cost, theory, doc}",
    "not_modelled": "mitigations the literature names that dltsim does not model: a list of {mitigation, note}",
    "run_timeout": "wall-clock limit per run, a duration (default 10 min)",
    "derived": "metrics computed from each run's summary, as in a study: {name: expression} or {name: {expr, unit, "
               "doc, support}}; the impact may be one",
}
IMPACT_KEYS = {"metric": "a summary key", "unit": "its unit ('' for none)", "harm": "higher or lower",
               "doc": "one line: what it measures"}
STRENGTH_KEYS = {"key": "the key path it sets", "name": "what it is (hashrate share, spy share ...)",
                 "unit": "its unit ('' for none)", "ci": "values at CI size", "full": "values at full size"}
SIZE_KEYS = {"replications": "runs per point (the same seeds at every point)", "set": "overrides at this size"}
MITIGATION_KEYS = {
    "id": "an id, unique in the entry: letters, digits, '-'",
    "title": "a short title",
    "x1402": "optional: the X.1402 capability clause if it is not the entry's",
    "doc": "what the mitigation is, with its source",
    "off": "the parameter values without it, {key.path: value} (every other point uses these)",
    "on": "the parameter values with it, {key.path: value}",
    "cost": "optional: {metric, unit, kind, doc}: a summary key measuring what it costs (kind: "
            + ", ".join(COST_KINDS) + ")",
    "theory": "optional: {metric, tolerance, doc}: a summary key holding the closed form of the impact with "
              "this mitigation off and on, and the absolute tolerance of the model beyond the statistics",
}
COST_KEYS = {"metric": "a summary key", "unit": "its unit", "kind": ", ".join(COST_KINDS), "doc": "one line"}
THEORY_KEYS = {"metric": "a summary key holding the closed form", "tolerance": "absolute model tolerance, >= 0",
               "doc": "which closed form, and why the tolerance"}
NOT_MODELLED_KEYS = {"mitigation": "its name", "note": "what it is, its source, and why it is not modelled"}

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")


class Mitigation:
    """One mitigation of a threat: parameter values off and on, an optional cost and closed form."""

    def __init__(self, id, title, x1402, doc, off, on, cost, theory):
        self.id, self.title, self.x1402, self.doc = id, title, x1402, doc
        self.off, self.on, self.cost, self.theory = off, on, cost, theory


class Threat:
    """One catalogue entry (see THREAT_KEYS)."""

    def __init__(self, path, text, fields, mitigations):
        self.path = path
        self.text = text
        self.folder = os.path.dirname(os.path.abspath(path))
        self.mitigations = mitigations
        for k, v in fields.items():
            setattr(self, k, v)

    @property
    def category(self):
        return f"X.1401 {self.x1401} {X1401[self.x1401]}"

    @property
    def capability(self):
        return f"X.1402 {self.x1402} {X1402[self.x1402]}"

    def base_path(self):
        """The base scenario's absolute path, or None for an inline scenario."""
        return os.path.normpath(os.path.join(self.folder, self.base)) if self.base else None


def catalogue_dir():
    """The catalogue folder: $DLTSIM_THREATS; else threats/ of the source tree this package was built
    from (so that an edited entry counts without a rebuild) or beside the package's sources; else the
    copy in the package."""
    env = os.environ.get("DLTSIM_THREATS")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = []
    source = os.path.join(here, "_data", "source_dir.txt")
    if os.path.exists(source):
        with open(source, encoding="utf-8") as f:
            candidates.append(os.path.join(f.read().strip(), "threats"))
    candidates += [os.path.join(here, "..", "..", "threats"), os.path.join(here, "_data", "threats")]
    for candidate in candidates:
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
    raise StudyError("the threat catalogue was not found (threats/ beside the package); set DLTSIM_THREATS")


def _registered():
    cat = _dltsim.catalog()
    # What realises a threat: a registered attack, or a bridge mechanism run under attack (its
    # parameters hold the attacker's means, as a committee's compromised keys).
    return ({p["name"] for p in cat["protocols"]},
            {a["name"]: a for a in cat["attacks"] + cat["bridges"]})


def _strict(source, node, key_path, allowed):
    m = _mapping(source, node, key_path)
    for k, (knode, _) in m.items():
        if k not in allowed:
            _fail(source, knode, f"{key_path}.{k}" if key_path else k,
                  f"unknown key; allowed: {', '.join(allowed)}")
    return m


def _need(source, node, m, key_path, keys):
    for k in keys:
        if k not in m:
            _fail(source, node, key_path, f"missing key '{k}' ({THREAT_KEYS.get(k) or k})")


def _text(source, m, key, key_path, optional=False):
    if key not in m:
        return None if optional else _fail(source, None, key_path, "missing")
    value = _plain_value(source, m[key][1], key_path)
    if not isinstance(value, str) or not value.strip():
        _fail(source, m[key][1], key_path, f"expected text, got {_show(value)}")
    return " ".join(value.split())


def _clause(source, m, key, table, what):
    node = m[key][1]
    value = str(_plain_value(source, node, key))
    if value not in table:
        _fail(source, node, key, f"{_show(value)} is not a clause of {what}; allowed: "
                                 + ", ".join(f"{k} ({v})" for k, v in table.items()))
    return value


def _metric(source, m, key, key_path):
    node = m[key][1]
    value = _plain_value(source, node, key_path)
    if not isinstance(value, str) or not _METRIC.fullmatch(value):
        _fail(source, node, key_path, f"expected a summary key (an identifier), got {_show(value)}")
    return value


def _settings(source, node, key_path):
    """{key.path: value} overrides."""
    m = _mapping(source, node, key_path)
    out = {}
    for k, (knode, vnode) in m.items():
        if not _KEY_PATH.fullmatch(k):
            _fail(source, knode, key_path, f"{_show(k)} is not a key path (network.nodes, attacks[0].params.alpha)")
        out[k] = _plain_value(source, vnode, f"{key_path}.{k}")
    return out


def _values(source, node, key_path):
    value = _plain_value(source, node, key_path)
    if not isinstance(value, list) or not value:
        _fail(source, node, key_path, f"expected a non-empty list of values, got {_show(value)}")
    if len(set(map(repr, value))) != len(value):
        _fail(source, node, key_path, "a value appears twice")
    return value


def load_threat(path):
    """A catalogue entry, checked (StudyError with file:line:column otherwise)."""
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise StudyError(f"{source}: cannot read: {e}", source) from None
    root = _compose(text, source)
    if root is None:
        raise StudyError(f"{source}:1:1: empty threat file", source, 1, 1)
    _check_scalars(source, root, "", newlines=True)
    top = _strict(source, root, "", THREAT_KEYS)
    _need(source, root, top, "", ["threat", "title", "x1401", "x1402", "description", "sources", "protocols",
                                  "networks", "attacks", "impact", "strength", "size", "mitigations"])
    protocols_known, attacks_known = _registered()
    f = {}
    tid = _plain_value(source, top["threat"][1], "threat")
    if not isinstance(tid, str) or not _ID.fullmatch(tid):
        _fail(source, top["threat"][1], "threat",
              f"an id is 1 to 48 lower-case letters, digits and '-'; got {_show(tid)}")
    stem = os.path.splitext(os.path.basename(source))[0]
    if tid != stem:
        _fail(source, top["threat"][1], "threat", f"the id {tid!r} must be the file name ({stem!r})")
    f["id"] = tid
    f["title"] = _text(source, top, "title", "title")
    f["description"] = _text(source, top, "description", "description")
    f["x1401"] = _clause(source, top, "x1401", X1401, "X.1401")
    f["x1402"] = _clause(source, top, "x1402", X1402, "X.1402")
    f["x1404"] = []
    if "x1404" in top:
        node = top["x1404"][1]
        values = _plain_value(source, node, "x1404")
        for v in values if isinstance(values, list) else [values]:
            if str(v) not in X1404:
                _fail(source, node, "x1404", f"{_show(v)} is not a clause of X.1404; allowed: "
                                             + ", ".join(f"{k} ({t})" for k, t in X1404.items()))
            f["x1404"].append(str(v))
    for key in ("sources", "protocols", "networks", "attacks"):
        node = top[key][1]
        values = _plain_value(source, node, key)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            _fail(source, node, key, f"expected a non-empty list of text, got {_show(values)}")
        f[key] = [" ".join(v.split()) for v in values]
    for p in f["protocols"]:
        if p not in protocols_known:
            _fail(source, top["protocols"][1], "protocols", f"unknown protocol {p!r}; allowed: "
                                                            + ", ".join(sorted(protocols_known)))
    for a in f["attacks"]:
        if a not in attacks_known:
            _fail(source, top["attacks"][1], "attacks", f"unknown attack {a!r}; allowed: "
                                                        + ", ".join(sorted(attacks_known)))
    if ("base" in top) == ("scenario" in top):
        _fail(source, root, "", "give exactly one of base (a scenario file) and scenario (inline)")
    f["base"] = _text(source, top, "base", "base", optional=True)
    f["scenario"] = _plain_value(source, top["scenario"][1], "scenario") if "scenario" in top else None
    if f["scenario"] is not None and not isinstance(f["scenario"], dict):
        _fail(source, top["scenario"][1], "scenario", "expected a mapping (a scenario)")
    if f["base"] and not os.path.isfile(os.path.join(os.path.dirname(os.path.abspath(source)), f["base"])):
        _fail(source, top["base"][1], "base", f"no scenario file {f['base']!r} (relative to the threat file)")
    f["set"] = _settings(source, top["set"][1], "set") if "set" in top else {}
    f["derived"] = _plain_value(source, top["derived"][1], "derived") if "derived" in top else {}
    if not isinstance(f["derived"], dict):
        _fail(source, top["derived"][1], "derived", "expected a mapping {name: expression}")
    f["run_timeout"] = str(_plain_value(source, top["run_timeout"][1], "run_timeout")) if "run_timeout" in top \
        else "10 min"

    inode = top["impact"][1]
    im = _strict(source, inode, "impact", IMPACT_KEYS)
    _need(source, inode, im, "impact", ["metric", "harm", "doc"])
    harm = _plain_value(source, im["harm"][1], "impact.harm")
    if harm not in HARM:
        _fail(source, im["harm"][1], "impact.harm", f"{_show(harm)}; allowed: higher, lower")
    f["impact"] = {"metric": _metric(source, im, "metric", "impact.metric"), "harm": harm,
                   "unit": str(_plain_value(source, im["unit"][1], "impact.unit")) if "unit" in im else "",
                   "doc": _text(source, im, "doc", "impact.doc")}

    snode = top["strength"][1]
    sm = _strict(source, snode, "strength", STRENGTH_KEYS)
    _need(source, snode, sm, "strength", ["key", "name", "ci", "full"])
    key = _plain_value(source, sm["key"][1], "strength.key")
    if not isinstance(key, str) or not _KEY_PATH.fullmatch(key):
        _fail(source, sm["key"][1], "strength.key", f"{_show(key)} is not a key path")
    f["strength"] = {"key": key, "name": _text(source, sm, "name", "strength.name"),
                     "unit": str(_plain_value(source, sm["unit"][1], "strength.unit")) if "unit" in sm else "",
                     "ci": _values(source, sm["ci"][1], "strength.ci"),
                     "full": _values(source, sm["full"][1], "strength.full")}

    znode = top["size"][1]
    zm = _strict(source, znode, "size", {s: f"the {s} size" for s in SIZES})
    _need(source, znode, zm, "size", list(SIZES))
    f["size"] = {}
    for s in SIZES:
        node = zm[s][1]
        m = _strict(source, node, f"size.{s}", SIZE_KEYS)
        _need(source, node, m, f"size.{s}", ["replications"])
        reps = _plain_value(source, m["replications"][1], f"size.{s}.replications")
        if not isinstance(reps, int) or isinstance(reps, bool) or not 2 <= reps <= 1000:
            _fail(source, m["replications"][1], f"size.{s}.replications",
                  f"expected an integer from 2 to 1000 (a difference needs two replications for its interval), "
                  f"got {_show(reps)}")
        f["size"][s] = {"replications": reps,
                        "set": _settings(source, m["set"][1], f"size.{s}.set") if "set" in m else {}}

    mnode = top["mitigations"][1]
    mlist = mnode.value if hasattr(mnode, "value") and isinstance(mnode.value, list) else None
    if not mlist:
        _fail(source, mnode, "mitigations", "expected a non-empty list of mitigations")
    mitigations = []
    for i, node in enumerate(mlist):
        kp = f"mitigations[{i}]"
        m = _strict(source, node, kp, MITIGATION_KEYS)
        _need(source, node, m, kp, ["id", "title", "doc", "off", "on"])
        mid = _plain_value(source, m["id"][1], f"{kp}.id")
        if not isinstance(mid, str) or not _ID.fullmatch(mid) or mid == "off":
            _fail(source, m["id"][1], f"{kp}.id", f"an id is lower-case letters, digits and '-' (not 'off'); got "
                                                  f"{_show(mid)}")
        if any(x.id == mid for x in mitigations):
            _fail(source, m["id"][1], f"{kp}.id", f"{mid!r} appears twice")
        x1402 = _clause(source, m, "x1402", X1402, "X.1402") if "x1402" in m else f["x1402"]
        off = _settings(source, m["off"][1], f"{kp}.off")
        on = _settings(source, m["on"][1], f"{kp}.on")
        if not on:
            _fail(source, m["on"][1], f"{kp}.on", "a mitigation sets at least one value")
        if off == on:
            _fail(source, m["on"][1], f"{kp}.on", "on sets the same values as off: the mitigation changes nothing")
        if key in on or key in off:
            _fail(source, m["on"][1], f"{kp}", f"a mitigation may not set the strength's key {key!r}")
        cost = None
        if "cost" in m:
            cm = _strict(source, m["cost"][1], f"{kp}.cost", COST_KEYS)
            _need(source, m["cost"][1], cm, f"{kp}.cost", ["metric", "kind", "doc"])
            kind = _plain_value(source, cm["kind"][1], f"{kp}.cost.kind")
            if kind not in COST_KINDS:
                _fail(source, cm["kind"][1], f"{kp}.cost.kind", f"{_show(kind)}; allowed: {', '.join(COST_KINDS)}")
            cost = {"metric": _metric(source, cm, "metric", f"{kp}.cost.metric"), "kind": kind,
                    "unit": str(_plain_value(source, cm["unit"][1], f"{kp}.cost.unit")) if "unit" in cm else "",
                    "doc": _text(source, cm, "doc", f"{kp}.cost.doc")}
        theory = None
        if "theory" in m:
            tm = _strict(source, m["theory"][1], f"{kp}.theory", THEORY_KEYS)
            _need(source, m["theory"][1], tm, f"{kp}.theory", ["metric", "tolerance", "doc"])
            tol = _plain_value(source, tm["tolerance"][1], f"{kp}.theory.tolerance")
            if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < 1e12:
                _fail(source, tm["tolerance"][1], f"{kp}.theory.tolerance", f"expected a number >= 0, got {_show(tol)}")
            theory = {"metric": _metric(source, tm, "metric", f"{kp}.theory.metric"), "tolerance": float(tol),
                      "doc": _text(source, tm, "doc", f"{kp}.theory.doc")}
        mitigations.append(Mitigation(mid, _text(source, m, "title", f"{kp}.title"), x1402,
                                      _text(source, m, "doc", f"{kp}.doc"), off, on, cost, theory))
    # Every point sets every mitigation's keys (off or on): the off values must cover the on keys.
    for mit in mitigations:
        missing = [k for k in mit.on if k not in mit.off]
        if missing:
            idx = mitigations.index(mit)
            _fail(source, mlist[idx], f"mitigations[{idx}].off",
                  f"give the value without the mitigation for {', '.join(missing)} (off must set every key on sets)")
    f["not_modelled"] = []
    if "not_modelled" in top:
        node = top["not_modelled"][1]
        for i, n in enumerate(node.value if isinstance(node.value, list) else []):
            m = _strict(source, n, f"not_modelled[{i}]", NOT_MODELLED_KEYS)
            _need(source, n, m, f"not_modelled[{i}]", list(NOT_MODELLED_KEYS))
            f["not_modelled"].append({"mitigation": _text(source, m, "mitigation", f"not_modelled[{i}].mitigation"),
                                      "note": _text(source, m, "note", f"not_modelled[{i}].note")})
    return Threat(source, text, f, mitigations)


def catalogue_files(folder=None):
    folder = folder or catalogue_dir()
    return sorted(glob.glob(os.path.join(folder, "*.yaml")))


def load_catalogue(folder=None, ids=None):
    """Every entry (or those named in ids, in catalogue order), checked. Unknown ids are an error
    naming the known ones."""
    threats = [load_threat(p) for p in catalogue_files(folder)]
    if ids:
        known = {t.id for t in threats}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise StudyError(f"unknown threat(s) {', '.join(unknown)}; the catalogue has: {', '.join(sorted(known))}")
        threats = [t for t in threats if t.id in ids]
    return threats


def describe(threat):
    """One entry as text, with its sources."""
    t = threat
    lines = [f"{t.id}: {t.title}", "",
             f"  {t.category}", f"  countered by {t.capability}"]
    if t.x1404:
        lines.append("  assurance: " + "; ".join(f"X.1404 {c} {X1404[c]}" for c in t.x1404))
    lines += ["", "  " + t.description, "",
              f"  protocols: {', '.join(t.protocols)}; networks: {', '.join(t.networks)}",
              f"  attacks: {', '.join(t.attacks)}; scenario: {t.base or '(inline)'}",
              f"  impact: {t.impact['metric']}" + (f" [{t.impact['unit']}]" if t.impact["unit"] else "")
              + f" ({t.impact['harm']} is harm): {t.impact['doc']}",
              f"  strength: {t.strength['name']} ({t.strength['key']}): ci {t.strength['ci']}, "
              f"full {t.strength['full']}",
              f"  replications: ci {t.size['ci']['replications']}, full {t.size['full']['replications']}", "",
              "  mitigations:"]
    for m in t.mitigations:
        lines.append(f"    {m.id}: {m.title} (X.1402 {m.x1402} {X1402[m.x1402]})")
        lines.append(f"      off {m.off} -> on {m.on}")
        lines.append(f"      {m.doc}")
        if m.cost:
            lines.append(f"      cost ({m.cost['kind']}): {m.cost['metric']}: {m.cost['doc']}")
        if m.theory:
            lines.append(f"      closed form: {m.theory['metric']} (tolerance {m.theory['tolerance']:g}): "
                         f"{m.theory['doc']}")
    if t.not_modelled:
        lines += ["", "  not modelled:"]
        lines += [f"    {n['mitigation']}: {n['note']}" for n in t.not_modelled]
    lines += ["", "  sources:"] + [f"    - {s}" for s in t.sources]
    return "\n".join(lines)
