"""Read one CSV file of the data package into records, naming each fault for what it is.

The standard :mod:`csv` reader is forgiving in ways that mislead: an unclosed quote
swallows the rest of the file into one cell (and is then reported, if at all, as a
short row), a UTF-8 byte-order mark becomes part of the first column's name, and a
cell over 128 KiB makes the whole file "malformed". :func:`read_records` reads the
file itself, decodes it with the line of a bad byte, drops a byte-order mark, lifts the
cell-size limit, and reports a record that runs over several lines as the unclosed
quote it almost always is (cells in this package hold one line each).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from evidence_lib.errors import Problem

_BOM = "\ufeff"


@dataclass(frozen=True)
class Records:
    """The rows of a CSV file and the file line on which each row starts.

    Attributes
    ----------
    header : list of str
        The first row (column names), byte-order mark removed.
    rows : list of list of str
        The data rows, in file order; blank lines are left out (and reported).
    lines : list of int
        ``lines[i]`` is the 1-based file line on which ``rows[i]`` starts.
    """

    header: list[str]
    rows: list[list[str]]
    lines: list[int]


def read_text(path: Path, fname: str, problems: list[Problem]) -> str | None:
    """Read a package file as UTF-8, reporting why it cannot be read.

    Parameters
    ----------
    path : pathlib.Path
        The file on disk.
    fname : str
        Its name as the descriptor gives it (used in problems).
    problems : list of Problem
        Appended to, with the line of an undecodable byte, if the file cannot be read.

    Returns
    -------
    str or None
        The text without a leading byte-order mark, or None when it cannot be read.
    """
    raw = read_bytes(path, fname, problems)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = ""
        try:
            raw.decode("cp1252")
            guess = " (it looks like Latin-1 or Windows-1252)"
        except UnicodeDecodeError:
            pass
        problems.append(Problem(fname, line, None,
                                f"not UTF-8: byte 0x{raw[exc.start]:02x} at character {col} of this line cannot be "
                                f"decoded{guess}; save the file as UTF-8"))
        return None
    return text[1:] if text.startswith(_BOM) else text


def read_bytes(path: Path, fname: str, problems: list[Problem]) -> bytes | None:
    """Read a package file's bytes; a missing, unreadable or non-regular file is a problem.

    Parameters
    ----------
    path : pathlib.Path
        The file on disk.
    fname : str
        Its name as the descriptor gives it (used in problems).
    problems : list of Problem
        Appended to when the file cannot be read.

    Returns
    -------
    bytes or None
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(fname, None, None, f"the file is missing (expected at {path}); restore it (a table that "
                                                   f"may be absent says \"optional\": true in datapackage.json)"))
    except IsADirectoryError:
        problems.append(Problem(fname, None, None, f"{path} is a folder, not a file; put the file there"))
    except PermissionError:
        problems.append(Problem(fname, None, None, f"cannot read {path}: permission denied; make it readable "
                                                   f"(chmod u+r)"))
    except OSError as exc:
        problems.append(Problem(fname, None, None, f"cannot read {path}: {exc.strerror or exc}"))
    return None


def read_records(path: Path, fname: str, problems: list[Problem]) -> Records | None:
    """Parse a CSV file into a header and rows with their starting lines.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file on disk.
    fname : str
        Its name as the descriptor gives it (used in problems).
    problems : list of Problem
        Appended to: unreadable file, encoding, NUL bytes, blank lines, and quoted cells
        that run over several lines (an unclosed quote), each with its line.

    Returns
    -------
    Records or None
        None when the file cannot be read or parsed at all.
    """
    text = read_text(path, fname, problems)
    if text is None:
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.append(Problem(fname, line, None, "contains a NUL byte: the file is binary or damaged; "
                                                   "restore it from version control"))
        return None
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows, lines = [], []
        previous = 0
        n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        try:
            for row in reader:
                start, end = previous + 1, reader.line_num
                previous = end
                if end > start or any("\n" in c or "\r" in c for c in row):
                    runs = "runs to the end of the file" if end >= n_lines else f"runs to line {end}"
                    problems.append(Problem(
                        fname, start, None,
                        f"unclosed quote: a quoted cell opens on this line and {runs}; add the closing quote on "
                        f"line {start} (cells in this package hold one line each)"))
                    return None
                if not row:
                    problems.append(Problem(fname, start, None, "blank line; delete it"))
                    continue
                rows.append(row)
                lines.append(start)
        except csv.Error as exc:
            msg, start = str(exc), previous + 1
            if reader.line_num > start and "end of data" not in msg:
                msg = (f"unclosed quote: a quoted cell opens on this line and runs to line {reader.line_num}; "
                       f"add the closing quote on line {start} (cells in this package hold one line each)")
                problems.append(Problem(fname, start, None, msg))
                return None
            if "expected after" in msg:
                msg = ("a quote ends a cell in mid-text; inside a quoted cell write a quote as two (\"\"), "
                       "or quote the whole cell")
            elif "end of data" in msg:
                msg = "unclosed quote: a quoted cell opens on this line and the file ends inside it; add the closing quote"
            else:
                msg = f"malformed CSV: {msg}"
            problems.append(Problem(fname, start, None, msg))
            return None
    finally:
        csv.field_size_limit(limit)
    if not rows:
        problems.append(Problem(fname, None, None, "empty file (no header row); restore its header"))
        return None
    return Records(header=rows[0], rows=rows[1:], lines=lines[1:])
