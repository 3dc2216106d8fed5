"""A run's HDF5 file as pandas DataFrames (read with h5py: pandas' read_hdf needs PyTables)."""

import h5py
import numpy as np
import pandas as pd

from . import _dltsim


def _plain(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.generic):
        return value.item()
    return value


class Result:
    """One run's results. Tables by name: result.table("blocks") or result.blocks.

    summary: dict of the run's summary values (NaN where the run cannot define one); summary_units,
    summary_docs: their units and one-line docs; summary_notes: why a value is NaN. provenance: dict
    (status, seed, version, git commit, schema version, overrides); scenario: the scenario after
    overrides, as a dict; complete: False for an interrupted run.
    """

    def __init__(self, path):
        self.path = str(path)
        with h5py.File(self.path, "r") as f:
            attrs = {k: _plain(v) for k, v in f["summary"].attrs.items()}
            self.summary = {k: v for k, v in attrs.items() if "." not in k}
            self.summary_units = {k[:-5]: v for k, v in attrs.items() if k.endswith(".unit")}
            self.summary_docs = {k[:-4]: v for k, v in attrs.items() if k.endswith(".doc")}
            self.summary_notes = {k[:-5]: v for k, v in attrs.items() if k.endswith(".note")}
            self.provenance = {k: _plain(v) for k, v in f["provenance"].attrs.items() if "." not in k}
            self.scenario_yaml = f["provenance/scenario_yaml"][()].decode()
            self.effective_yaml = f["provenance/effective_yaml"][()].decode()
            self.tables = sorted(k for k, v in f.items() if isinstance(v, h5py.Dataset) and v.dtype.names)
            self._meta = {}
            for t in self.tables:
                attrs = f[t].attrs
                self._meta[t] = {
                    "doc": _plain(attrs.get("doc", b"")),
                    "units": {c: _plain(attrs[c + ".unit"]) for c in f[t].dtype.names if c + ".unit" in attrs},
                    "docs": {c: _plain(attrs[c + ".doc"]) for c in f[t].dtype.names if c + ".doc" in attrs},
                }
        self._cache = {}

    @property
    def complete(self):
        return self.provenance.get("status") == "complete"

    @property
    def scenario(self):
        """The scenario after overrides, as a dict. Safe whatever the file holds: a hostile or
        corrupt embedded YAML (cyclic aliases, alias bombs, deep nesting) raises ValueError."""
        try:
            return _dltsim.yaml_to_python(self.effective_yaml)
        except ValueError as e:
            raise ValueError(f"{self.path}: provenance/effective_yaml cannot be read: {e}") from None

    def table(self, name):
        """The table as a DataFrame (columns keep their HDF5 types; text columns become str)."""
        if name not in self.tables:
            raise KeyError(f"no table {name!r} in {self.path}; tables: {', '.join(self.tables)}")
        if name not in self._cache:
            with h5py.File(self.path, "r") as f:
                data = f[name][()]
            df = pd.DataFrame.from_records(data) if len(data) else pd.DataFrame(
                {c: pd.Series(dtype=data.dtype[c]) for c in data.dtype.names})
            for col in data.dtype.names:
                if data.dtype[col].kind == "S":
                    df[col] = df[col].str.decode("utf-8")
            self._cache[name] = df
        return self._cache[name]

    def units(self, name):
        """Column -> unit of a table (columns without unit omitted)."""
        return dict(self._meta[name]["units"])

    def docs(self, name):
        """Column -> one-line description of a table."""
        return dict(self._meta[name]["docs"])

    def __getattr__(self, name):
        if name.startswith("_") or name not in self.__dict__.get("tables", ()):
            raise AttributeError(name)
        return self.table(name)

    def __dir__(self):
        return list(super().__dir__()) + list(self.tables)

    def __repr__(self):
        state = "complete" if self.complete else "INCOMPLETE"
        return f"<dltsim.Result {self.path} ({state}); tables: {', '.join(self.tables)}>"


def load(path):
    """Opens a result file written by dltsim (complete or .incomplete.h5)."""
    return Result(path)
