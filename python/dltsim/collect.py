"""Loose result files into one DataFrame: dltsim.collect("results/") reads every run file under a
folder (recursively) and gives one row per run with its provenance, its resolved scenario flattened
to dotted keys (values with units as numbers in seconds, bytes or bit/s) and its summary."""

import os

import h5py
import pandas as pd

from . import _dltsim
from .result import _plain


def _flatten(value, prefix, out):
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = value


def _read(path, units):
    with h5py.File(path, "r") as f:
        if "summary" not in f or "provenance" not in f:
            return None
        row = {"path": path}
        prov = f["provenance"]
        for k, v in prov.attrs.items():
            if "." not in k:
                row[f"provenance.{k}"] = _plain(v)
        text = prov["resolved_yaml"][()].decode() if "resolved_yaml" in prov else prov["effective_yaml"][()].decode()
        flat = {}
        _flatten(_dltsim.yaml_to_python(text), "", flat)
        for k, v in flat.items():
            if isinstance(v, str):
                q = _dltsim.parse_quantity(v)
                if q is not None:
                    v, units[f"scenario.{k}"] = q
            elif isinstance(v, list):
                v = repr(v)
            row[f"scenario.{k}"] = v
        for k, v in f["summary"].attrs.items():
            if k.endswith(".unit"):
                units[k[:-5]] = _plain(v)
            elif "." not in k:
                row[k] = _plain(v)
    return row


def collect(folder, pattern=".h5"):
    """One row per run file under `folder` (files that are not dltsim results are skipped; an
    interrupted run's .incomplete.h5 is included, with provenance.status 'incomplete'). Columns:
    path, provenance.*, scenario.* (the resolved scenario; quantities in s, bytes or bit/s), and the
    summary values. df.attrs["units"] maps columns to units."""
    rows, units = [], {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(pattern):
                continue
            try:
                row = _read(os.path.join(root, name), units)
            except OSError:
                continue  # not HDF5
            if row is not None:
                rows.append(row)
    df = pd.DataFrame(rows)
    df.attrs["units"] = units
    return df
