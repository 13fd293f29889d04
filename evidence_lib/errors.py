"""Error types shared by the loader, the validators and the command line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located as precisely as we can.

    Parameters
    ----------
    file : str
        File name relative to the data package (``"claims.csv"``).
    line : int or None
        Line number in the file (the header is line 1, the first data row line 2);
        ``None`` when the problem concerns the whole file or table.
    column : str or None
        Column name, when one column is at fault.
    message : str
        What is wrong and, where possible, how to fix it.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message}"


class DataValidationError(ValueError):
    """Raised when a data package has problems; lists every problem found, at once.

    Attributes
    ----------
    problems : list of Problem
        All problems, sorted by file and line.
    """

    def __init__(self, problems: list[Problem], root: str | None = None):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.message))
        self.root = root
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the data package"
        if root:
            head += f" at {root}"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class BuildError(RuntimeError):
    """A build could not write its output; the message says why and what to do.

    The output folder is left as it was (the previous complete build, if any).
    """


class BuildBusyError(BuildError):
    """Another build holds the output folder's lock."""


class BuildInterrupted(KeyboardInterrupt):
    """A build stopped by a signal (SIGINT or SIGTERM) before it finished.

    Parameters
    ----------
    signum : int
        The signal received (2 for SIGINT, 15 for SIGTERM); a command line exits
        with ``128 + signum``.
    """

    def __init__(self, signum: int = 2):
        super().__init__(signum)
        self.signum = signum
