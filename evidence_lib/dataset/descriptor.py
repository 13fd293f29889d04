"""Read a Frictionless Tabular Data Package and check it against its Table Schemas.

Only what this project's descriptor uses is implemented (string, integer, number and
boolean fields; required, unique, enum, pattern, minimum and maximum constraints;
primary and foreign keys), so that loading needs nothing beyond pandas. Every problem
is collected as a :class:`~evidence_lib.errors.Problem` with file, line and column;
nothing is raised until the whole package has been read.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence_lib.errors import Problem

_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    constraints: dict

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...]
    required: bool
    descriptor: dict

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


def read_descriptor(root: Path, problems: list[Problem]) -> dict | None:
    """Parse ``datapackage.json``; report a problem and return None if unreadable."""
    path = root / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem("datapackage.json", None, None, f"no descriptor found in {root}"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("datapackage.json", getattr(exc, "lineno", None), None, f"not valid JSON: {exc}"))
    return None


def resources(descriptor: dict) -> dict[str, Resource]:
    """Tabular resources of the descriptor, by name."""
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
            required=bool(res.get("required", False)),
            descriptor=res,
        )
    return out


def read_table(root: Path, res: Resource, problems: list[Problem]):
    """Read one CSV resource, cast its columns and check field constraints.

    Returns a pandas DataFrame with typed columns (strings as ``object`` with None for
    missing, integers as nullable ``Int64``, numbers as ``float64``), or None when the
    file cannot be read at all. Row order is kept; ``df.attrs['lines']`` holds the file
    line of each row for error messages raised later.
    """
    import pandas as pd

    fname = res.path
    path = root / fname
    if not path.exists():
        if res.required:
            problems.append(Problem(fname, None, None, "required table is missing"))
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(fname, None, None, f"not UTF-8: {exc}"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        problems.append(Problem(fname, reader.line_num, None, f"malformed CSV: {exc}"))
        return None
    if not rows:
        problems.append(Problem(fname, None, None, "empty file (no header row)"))
        return None
    header, body = rows[0], rows[1:]
    # line numbers: csv rows may span lines (quoted newlines), so track them properly
    lines = _row_lines(text)
    known = {f.name for f in res.fields}
    for col in header:
        if col not in known:
            problems.append(Problem(fname, 1, col, f"unknown column (not in the schema of '{res.name}')"))
    dup = {c for c in header if header.count(c) > 1}
    for col in sorted(dup):
        problems.append(Problem(fname, 1, col, "column appears more than once in the header"))
    for f in res.fields:
        if f.required and f.name not in header:
            problems.append(Problem(fname, 1, f.name, "required column is missing from the header"))

    columns: dict[str, list[Any]] = {f.name: [] for f in res.fields}
    idx = {c: i for i, c in enumerate(header)}
    for r, row in enumerate(body):
        line = lines[r + 1] if r + 1 < len(lines) else None
        if len(row) != len(header):
            problems.append(Problem(fname, line, None, f"has {len(row)} cells but the header has {len(header)}"))
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
    file_lines = [lines[r + 1] if r + 1 < len(lines) else None for r in range(len(body))]
    df.attrs["lines"] = file_lines
    df.attrs["file"] = fname
    _check_unique(df, res, problems)
    return df


def _row_lines(text: str) -> list[int]:
    """Starting line number of each CSV record (1-based), allowing quoted newlines."""
    out = []
    line = 1
    in_quote = False
    start_of_record = True
    for ch in text:
        if start_of_record:
            out.append(line)
            start_of_record = False
        if ch == '"':
            in_quote = not in_quote
        elif ch == "\n":
            line += 1
            if not in_quote:
                start_of_record = True
    return out


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


def check_foreign_keys(tables: dict, res_by_name: dict[str, Resource], problems: list[Problem]) -> None:
    """Check that every foreign key of every loaded table resolves."""
    for name, res in res_by_name.items():
        df = tables.get(name)
        if df is None:
            continue
        for fk in res.foreign_keys:
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            target = tables.get(ref["resource"])
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
