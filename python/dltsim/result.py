"""A run's HDF5 file as pandas DataFrames (read with h5py: pandas' read_hdf needs PyTables)."""

import os

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

    A run of several ledgers (docs/interconnect.md) holds the bridges' tables and the run's summary
    (every ledger's values prefixed NAME_) at the top; result.ledgers names the ledgers and
    result.ledger(NAME) is that ledger's own Result (its tables, summary and scenario).
    """

    def __init__(self, path, temporary=False, group=""):
        self.path = str(path)
        self._temporary = False
        self.group = group
        self._prefix = group + "/" if group else ""
        try:
            f = h5py.File(self.path, "r")
        except FileNotFoundError:
            raise
        except OSError as e:
            raise ValueError(f"{self.path}: not an HDF5 file ({e})") from None
        with f:
            if group:
                if group not in f:
                    raise KeyError(f"{self.path}: no {group}")
                f = f[group]
            if "summary" not in f or "provenance" not in f:
                what = ("a study file: read it with dltsim.load_study" if "runs" in f and "points" in f
                        else "no /summary and /provenance")
                raise ValueError(f"{self.path}: not a dltsim result file ({what})")
            attrs = {k: _plain(v) for k, v in f["summary"].attrs.items()}
            self.summary = {k: v for k, v in attrs.items() if "." not in k}
            self.summary_units = {k[:-5]: v for k, v in attrs.items() if k.endswith(".unit")}
            self.summary_docs = {k[:-4]: v for k, v in attrs.items() if k.endswith(".doc")}
            self.summary_notes = {k[:-5]: v for k, v in attrs.items() if k.endswith(".note")}
            self.provenance = {k: _plain(v) for k, v in f["provenance"].attrs.items() if "." not in k}
            self.scenario_yaml = f["provenance/scenario_yaml"][()].decode()
            self.effective_yaml = f["provenance/effective_yaml"][()].decode()
            resolved = f["provenance"].get("resolved_yaml")
            # Every default written out (files of older versions may lack it).
            self.resolved_yaml = resolved[()].decode() if resolved is not None else None
            self.tables = sorted(k for k, v in f.items() if isinstance(v, h5py.Dataset) and v.dtype.names)
            names = self.provenance.get("ledgers", "") if not group else ""
            self.ledgers = names.split("\n") if names else []
            self._meta = {}
            for t in self.tables:
                attrs = f[t].attrs
                self._meta[t] = {
                    "doc": _plain(attrs.get("doc", b"")),
                    "units": {c: _plain(attrs[c + ".unit"]) for c in f[t].dtype.names if c + ".unit" in attrs},
                    "docs": {c: _plain(attrs[c + ".doc"]) for c in f[t].dtype.names if c + ".doc" in attrs},
                }
        self._cache = {}
        self._temporary = temporary

    def close(self):
        """Forgets the cached tables; a result written to a temporary file (run() without out=)
        removes that file. Also called when the Result is garbage-collected or leaves a with block."""
        self._cache = {}
        if self._temporary:
            self._temporary = False
            try:
                os.remove(self.path)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

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

    def table(self, name, columns=None, rows=None):
        """The table as a DataFrame (columns keep their HDF5 types; text columns become str).

        columns: a list of column names to read (default all); rows: a slice or (start, stop) of
        rows to read (default all). Only what is asked is read from the file: a 10^8-row arrivals
        table can be read by column or in pieces. The whole table is cached, parts are not."""
        if name not in self.tables:
            raise KeyError(f"no table {name!r} in {self.path}; tables: {', '.join(self.tables)}")
        whole = columns is None and rows is None
        if whole and name in self._cache:
            return self._cache[name]
        with h5py.File(self.path, "r") as f:
            ds = f[self._prefix + name]
            if columns is not None:
                unknown = [c for c in columns if c not in ds.dtype.names]
                if unknown:
                    raise KeyError(f"table {name!r} has no column {unknown}; columns: {', '.join(ds.dtype.names)}")
            sel = slice(*rows) if isinstance(rows, tuple) else (rows if rows is not None else slice(None))
            if columns is not None:
                data = ds.fields(list(columns))[sel]
                if data.dtype.names is None:  # some h5py versions return a plain array for one field
                    data = np.rec.fromarrays([data], names=list(columns))
            else:
                data = ds[sel]
        df = pd.DataFrame.from_records(data) if len(data) else pd.DataFrame(
            {c: pd.Series(dtype=data.dtype[c]) for c in data.dtype.names})
        for col in data.dtype.names:
            if data.dtype[col].kind == "S":
                df[col] = df[col].str.decode("utf-8")
        if whole:
            self._cache[name] = df
        return df

    def rows(self, name):
        """Number of rows of a table, without reading it."""
        with h5py.File(self.path, "r") as f:
            return len(f[self._prefix + name])

    def ledger(self, name):
        """One ledger of a multi-ledger run, as a Result of its own (tables, summary, scenario)."""
        if name not in self.ledgers:
            raise KeyError(f"no ledger {name!r} in {self.path}; ledgers: {', '.join(self.ledgers) or '(one-ledger run)'}")
        return Result(self.path, group=f"ledgers/{name}")

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
        where = f"{self.path}:{self.group}" if self.group else self.path
        ledgers = f"; ledgers: {', '.join(self.ledgers)}" if self.ledgers else ""
        return f"<dltsim.Result {where} ({state}); tables: {', '.join(self.tables)}{ledgers}>"


def load(path):
    """Opens a result file written by dltsim (complete or .incomplete.h5)."""
    return Result(path)
