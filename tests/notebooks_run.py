"""Executes a notebook with nbclient in its own folder; any failing cell fails the test."""

import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=600, kernel_name="python3",
                        resources={"metadata": {"path": path.rsplit("/", 1)[0]}})
start = time.monotonic()
try:
    client.execute()
except CellExecutionError as e:
    sys.exit(f"{path}: a cell failed:\n{e}")
print(f"{path}: executed in {time.monotonic() - start:.1f} s")
