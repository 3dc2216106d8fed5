"""Exceptions raised by the dltsim package."""


class DltsimError(Exception):
    """Base of dltsim's errors."""


class ScenarioError(DltsimError, ValueError):
    """A scenario that cannot run as written.

    Attributes: message (the full text, as the command line prints it), source (file name, or the
    --set override), line and column (1-based; 0 when unknown), key_path ("network.nodes"),
    detail (the message without location).
    """

    def __init__(self, message, source="", line=0, column=0, key_path="", detail=""):
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.key_path = key_path
        self.detail = detail or message


class ScenarioWarning(UserWarning):
    """A setting that is valid but has no effect as combined (network.peers.anchors without
    block-relay-only connections); the message is located as errors are (file:line:column: key: why)."""


class StudyError(DltsimError, ValueError):
    """A study file that cannot run as written. Attributes as ScenarioError's: message, source, line,
    column (1-based; 0 when unknown), key_path, detail."""

    def __init__(self, message, source="", line=0, column=0, key_path="", detail=""):
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.key_path = key_path
        self.detail = detail or message


class OutputError(DltsimError, ValueError):
    """A result cannot be written where it was asked to go (a directory, a read-only file, a missing
    folder). Not a scenario error: the scenario is fine."""


class SimulationError(DltsimError, RuntimeError):
    """The simulation process failed: it exited with an error or was killed by a signal.

    Attributes: returncode (exit status, None if killed), signal (signal number or None), stderr.
    """

    def __init__(self, message, returncode=None, signal=None, stderr=""):
        super().__init__(message)
        self.returncode = returncode
        self.signal = signal
        self.stderr = stderr
