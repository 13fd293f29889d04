"""Read a Frictionless Tabular Data Package and check it against its Table Schemas.

Only what this project's descriptor uses is implemented (string, integer, number and
boolean fields; required, unique, enum, pattern, minimum and maximum constraints;
primary and foreign keys), so that loading needs nothing beyond pandas. Every problem
is collected as a :class:`~evidence_lib.errors.Problem` with file, line and column;
nothing is raised until the whole package has been read.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_lib.dataset.csvfile import read_records, read_text
from evidence_lib.errors import Problem

_INT = re.compile(r"^[+-]?\d+$")


class LineNumbers(tuple):
    """The file line of each row of a table read from CSV (kept in ``DataFrame.attrs``).

    pandas deep-copies ``attrs`` after nearly every operation on a frame; a plain list of
    a few hundred line numbers made every such operation copy it element by element
    (a third of the time of ``load``). This tuple is immutable, so a deep copy is itself.
    """

    __slots__ = ()

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


@dataclass(frozen=True)
class Field:
    """One column of a table as declared in ``datapackage.json``.

    Attributes
    ----------
    name : str
        Column name, as in the CSV header.
    type : str
        Frictionless field type (``"string"``, ``"integer"``, ``"number"``, ...).
    description : str
        The descriptor's description of the column ('' when none is given).
    constraints : dict
        The field's constraints (``required``, ``enum``, ``minimum``, ...), as declared.
    """

    name: str
    type: str
    description: str
    constraints: dict

    @property
    def required(self) -> bool:
        """Whether the field's constraints mark it required."""
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Resource:
    """One table of the data package as declared in ``datapackage.json``.

    Attributes
    ----------
    name : str
        Resource name (``"trials"``, ``"claims"``, ...).
    path : str
        CSV file name, relative to the package folder.
    fields : tuple of Field
        The declared columns, in schema order.
    primary_key : tuple of str
        Columns that together identify a row (empty when none is declared).
    foreign_keys : tuple of dict
        The schema's ``foreignKeys`` entries, as declared.
    optional : bool
        True when the package is valid without this table.
    descriptor : dict
        The resource's raw entry from ``datapackage.json``.
    """

    name: str
    path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...]
    optional: bool
    descriptor: dict

    def field(self, name: str) -> Field | None:
        """The field called ``name``, or None.

        Parameters
        ----------
        name : str
            A field name of the resource's schema.

        Returns
        -------
        Field or None
            The field, or None when the schema has no field of that name.
        """
        for f in self.fields:
            if f.name == name:
                return f
        return None


def read_descriptor(root: Path, problems: list[Problem]):
    """Parse ``datapackage.json``; report a problem and return None if it cannot be read.

    Parameters
    ----------
    root : pathlib.Path
        The package folder.
    problems : list of Problem
        Appended to when the folder or the descriptor cannot be read or parsed.

    Returns
    -------
    object or None
        The parsed JSON (its shape is checked by :func:`evidence_lib.dataset.shape.check_descriptor`).
    """
    if not root.exists():
        problems.append(Problem("datapackage.json", None, None,
                                f"no folder {root}; give the folder that holds datapackage.json"))
        return None
    if not root.is_dir():
        problems.append(Problem("datapackage.json", None, None,
                                f"{root} is a file, not a folder; give the folder that holds datapackage.json"))
        return None
    path = root / "datapackage.json"
    if not path.exists():
        try:
            next(root.iterdir(), None)
        except PermissionError:
            problems.append(Problem("datapackage.json", None, None,
                                    f"cannot open the folder {root}: permission denied; make it readable (chmod u+rx)"))
            return None
        problems.append(Problem("datapackage.json", None, None,
                                f"no descriptor found in {root}; give the folder that holds datapackage.json"))
        return None
    text = read_text(path, "datapackage.json", problems)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem("datapackage.json", exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})"))
    return None


def resources(descriptor: dict) -> dict[str, Resource]:
    """Tabular resources of a descriptor whose shape has been checked, by name.

    Parameters
    ----------
    descriptor : dict
        A descriptor that passed :func:`evidence_lib.dataset.shape.check_descriptor`.

    Returns
    -------
    dict of str to Resource
        The resources with a ``schema``.
    """
    out = {}
    for res in descriptor.get("resources", []):
        schema = res.get("schema")
        if not schema:
            continue
        fields = tuple(
            Field(f["name"], f.get("type", "string"), f.get("description", ""), f.get("constraints", {}))
            for f in schema["fields"]
        )
        pk = schema.get("primaryKey", [])
        out[res["name"]] = Resource(
            name=res["name"],
            path=res["path"],
            fields=fields,
            primary_key=tuple([pk] if isinstance(pk, str) else pk),
            foreign_keys=tuple(schema.get("foreignKeys", [])),
            optional=bool(res.get("optional", False)),
            descriptor=res,
        )
    return out


def read_table(root: Path, res: Resource, problems: list[Problem]):
    """Read one CSV resource, cast its columns and check field constraints.

    Faults (unknown, duplicated or missing columns, cells that do not cast, broken
    constraints) are appended to ``problems`` rather than raised.

    Parameters
    ----------
    root : pathlib.Path
        The package folder.
    res : Resource
        The resource to read; ``res.path`` is resolved against ``root``.
    problems : list of Problem
        Appended to, one problem per fault found.

    Returns
    -------
    pandas.DataFrame or None
        The table with typed columns (strings as ``object`` with None for missing,
        integers as nullable ``Int64``, numbers as ``float64``), or None when the file
        cannot be read at all. Row order is kept; ``df.attrs['lines']`` holds the file
        line of each row for error messages raised later.
    """
    import pandas as pd

    fname = res.path
    records = read_records(root / fname, fname, problems)
    if records is None:
        return None
    header, body, lines = records.header, records.rows, records.lines
    known = {f.name for f in res.fields}
    for col in header:
        if col not in known:
            problems.append(Problem(fname, 1, col, f"unknown column (not in the schema of '{res.name}'); "
                                                   f"rename it, or declare it in datapackage.json"))
    counts: dict[str, int] = {}
    for c in header:
        counts[c] = counts.get(c, 0) + 1
    for col in sorted(c for c, n in counts.items() if n > 1):
        problems.append(Problem(fname, 1, col, "column appears more than once in the header"))
    missing = [f.name for f in res.fields if f.name not in counts]
    for col in missing:
        problems.append(Problem(fname, 1, col, "column declared in datapackage.json is missing from the header; "
                                               "add it (blank cells are allowed unless required) or remove it "
                                               "from the schema"))

    columns: dict[str, list[Any]] = {f.name: [] for f in res.fields}
    idx = {c: i for i, c in enumerate(header)}
    ragged = [(lines[r], len(row)) for r, row in enumerate(body) if len(row) != len(header)]
    if len(ragged) == len(body) > 1 and len({n for _, n in ragged}) == 1:
        problems.append(Problem(fname, ragged[0][0], None,
                                f"every row has {ragged[0][1]} cells but the header has {len(header)}: a column was "
                                f"added to or removed from the header only; make the header and the rows agree"))
    else:
        problems.extend(Problem(fname, line, None, f"has {n} cells but the header has {len(header)}; "
                                                   f"a comma is missing or extra on this line") for line, n in ragged)
    for r, row in enumerate(body):
        line = lines[r]
        for f in res.fields:
            i = idx.get(f.name)
            raw = row[i] if i is not None and i < len(row) else ""
            columns[f.name].append(_cast(raw, f, fname, line, problems))

    df = pd.DataFrame(columns, columns=[f.name for f in res.fields])
    for f in res.fields:
        if f.type == "integer":
            df[f.name] = pd.array(columns[f.name], dtype="Int64")
        elif f.type == "number":
            df[f.name] = pd.Series([math.nan if v is None else v for v in columns[f.name]], dtype="float64")
        elif f.type == "boolean":
            df[f.name] = pd.array(columns[f.name], dtype="boolean")
        else:
            df[f.name] = pd.Series(columns[f.name], dtype="object")
    df.attrs["lines"] = LineNumbers(lines)
    df.attrs["file"] = fname
    df.attrs["incomplete"] = bool(missing or ragged)
    _check_unique(df, res, problems)
    return df


def _cast(raw: str, f: Field, fname: str, line: int | None, problems: list[Problem]):
    c = f.constraints
    if raw.strip() == "":
        if f.required:
            problems.append(Problem(fname, line, f.name, "required value is missing"))
        return None
    if raw != raw.strip():
        problems.append(Problem(fname, line, f.name, "value has leading or trailing spaces"))
        raw = raw.strip()
    value: Any = raw
    if f.type == "integer":
        if not _INT.match(raw):
            problems.append(Problem(fname, line, f.name, f"'{raw}' is not an integer"))
            return None
        value = int(raw)
    elif f.type == "number":
        try:
            value = float(raw)
        except ValueError:
            problems.append(Problem(fname, line, f.name, f"'{raw}' is not a number"))
            return None
        if not math.isfinite(value):
            problems.append(Problem(fname, line, f.name, f"'{raw}' is not a finite number"))
            return None
    elif f.type == "boolean":
        if raw.lower() not in ("true", "false"):
            problems.append(Problem(fname, line, f.name, f"'{raw}' is not true or false"))
            return None
        value = raw.lower() == "true"
    if "enum" in c and value not in c["enum"]:
        problems.append(Problem(fname, line, f.name, f"'{raw}' is not one of: {', '.join(map(str, c['enum']))}"))
    if "pattern" in c and not re.fullmatch(c["pattern"], raw):
        problems.append(Problem(fname, line, f.name, f"'{raw}' does not match the pattern {c['pattern']}"))
    if "minimum" in c and isinstance(value, (int, float)) and value < c["minimum"]:
        problems.append(Problem(fname, line, f.name, f"{raw} is below the minimum {c['minimum']}"))
    if "maximum" in c and isinstance(value, (int, float)) and value > c["maximum"]:
        problems.append(Problem(fname, line, f.name, f"{raw} is above the maximum {c['maximum']}"))
    return value


def _check_unique(df, res: Resource, problems: list[Problem]) -> None:
    lines = df.attrs["lines"]
    keys = [list(res.primary_key)] if res.primary_key else []
    keys += [[f.name] for f in res.fields if f.constraints.get("unique") and [f.name] not in keys]
    for key in keys:
        if not all(k in df.columns for k in key):
            continue
        seen: dict[tuple, int] = {}
        for i, tup in enumerate(df[key].itertuples(index=False, name=None)):
            if any(v is None for v in tup):
                continue
            if tup in seen:
                what = ", ".join(f"{k}={v}" for k, v in zip(key, tup))
                problems.append(Problem(res.path, lines[i], "+".join(key),
                                        f"duplicate {'primary key' if key == list(res.primary_key) else 'value'} ({what}); first seen on line {lines[seen[tup]]}"))
            else:
                seen[tup] = i


def check_foreign_keys(tables: dict, res_by_name: dict[str, Resource], problems: list[Problem],
                       broken: set[str] = frozenset()) -> None:
    """Check that every foreign key of every loaded table resolves.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tables read.
    res_by_name : dict of str to Resource
        Their resources.
    problems : list of Problem
        Appended to, one problem per unresolved key.
    broken : set of str
        Tables that could not be read whole (missing, unreadable, or lacking a declared
        column); keys from or into them are not checked, as their faults are already reported.

    Returns
    -------
    None
        Findings go to ``problems``.
    """
    for name, res in res_by_name.items():
        df = tables.get(name)
        if df is None or name in broken:
            continue
        for fk in res.foreign_keys:
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            target = tables.get(ref.get("resource") or name)
            if ref.get("resource") in broken:
                continue
            if target is None:
                if len(df):
                    problems.append(Problem(res.path, None, "+".join(fields),
                                            f"refers to table '{ref['resource']}', which is missing"))
                continue
            valid = set(target[ref_fields].itertuples(index=False, name=None))
            for i, tup in enumerate(df[fields].itertuples(index=False, name=None)):
                if any(v is None for v in tup):
                    continue
                if tup not in valid:
                    val = ", ".join(map(str, tup))
                    problems.append(Problem(res.path, df.attrs["lines"][i], "+".join(fields),
                                            f"unknown {'/'.join(ref_fields)} '{val}' (not in {ref['resource']}.csv)"))
