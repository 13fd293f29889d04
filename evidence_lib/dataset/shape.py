"""Check the shape of ``datapackage.json`` before anything is read through it.

Every property the loader or the report relies on is checked for its type and value
(dates are real ISO dates, patterns compile, keys name declared fields, resource paths
stay inside the package folder), so that a descriptor of the wrong shape gives one
``datapackage.json: message`` line per fault instead of a traceback later.

Custom properties of this package (documented in ``datapackage.json`` itself):

``review_date``
    The date of the review, ``YYYY-MM-DD`` (the report prints it; never the clock).
``review_author``
    The reviewing organisation: a name, or an object with a ``name``.
``report_url``
    Where the report is published (absolute URL); optional.
``review``
    The review's own words, which the library shows to readers and never holds in code:
    ``intervention`` (e.g. "yoga"), ``intervention_label`` (its capitalised form),
    ``condition``, ``condition_label`` (its short capitalised name), ``comparators`` and
    ``comparators_short`` (comparator code -> name, and a short name for tables),
    ``adverse_event_labels`` (event code -> words), ``finding_topics`` (a findings
    ``topic`` code -> words), ``reader_terms`` (trial jargon in the sources' wording ->
    readers' words), ``glossary`` (the review's abbreviations and jargon -> a definition for
    readers), ``article_sic`` (phrases of the article, each with ``[sic]`` written after the
    article's own slip, marked so wherever the report quotes them), ``protocol_labels`` (a ``protocol_id`` -> words that tell
    apart the plans of a source with several plans), ``populations`` (the population groups
    the claim checks compare: lists of subjects under ``subtypes``, ``near``, ``indirect``,
    ``treated``, ``mixed``, ``specific_groups``, and ``tolerated``: subtype -> list),
    ``article_plan`` and optional free-text keys.
``optional`` (on a resource)
    ``true`` when the table may be absent from the folder. Every other listed
    table must be present; an absent optional table is listed in
    :attr:`~evidence_lib.dataset.loader.Dataset.absent_tables`.
``sha256`` (on the article resource)
    The SHA-256 of the article text, which must never change.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import PurePosixPath, PureWindowsPath

from evidence_lib.errors import Problem

F = "datapackage.json"
#: Field types and constraints this loader implements; anything else would be ignored, so it is refused.
FIELD_TYPES = ("string", "integer", "number", "boolean")
CONSTRAINTS = {"required": bool, "unique": bool, "enum": list, "pattern": str,
               "minimum": (int, float), "maximum": (int, float)}
_PACKAGE_KEYS = {"profile", "name", "id", "title", "description", "version", "homepage", "keywords",
                 "licenses", "sources", "contributors", "created", "image", "terms",
                 "review_date", "review_author", "report_url", "review", "resources"}
_REVIEW_STRINGS = ("intervention", "intervention_label", "condition", "condition_label", "description")
_POPULATION_LISTS = ("subtypes", "near", "indirect", "treated", "mixed", "specific_groups")
_RESOURCE_KEYS = {"name", "path", "profile", "title", "description", "format", "mediatype", "encoding",
                  "schema", "sha256", "optional", "url", "sources", "licenses", "bytes", "hash"}
_FIELD_KEYS = {"name", "type", "format", "title", "description", "constraints", "example", "rdfType"}
_NAME = re.compile(r"^[a-z0-9._-]+$")


def check_descriptor(desc, problems: list[Problem], warnings: list[Problem]) -> bool:
    """Check the whole descriptor; return whether its resources can be read through it.

    Parameters
    ----------
    desc : object
        The parsed JSON of ``datapackage.json``.
    problems : list of Problem
        Appended to: one problem per fault, all of them ``datapackage.json`` problems.
    warnings : list of Problem
        Appended to: properties this package does not know (kept, not used).

    Returns
    -------
    bool
        False when the resources are so malformed that no table can be read through
        them (the caller then stops after reporting).
    """
    if not isinstance(desc, dict):
        problems.append(Problem(F, None, None, f"the descriptor must be a JSON object, got a JSON "
                                               f"{_json_type(desc)}; restore datapackage.json"))
        return False
    for key in sorted(set(desc) - _PACKAGE_KEYS):
        warnings.append(Problem(F, None, key, "unknown package property (kept, not used)"))
    _check_package_props(desc, problems)
    res = desc.get("resources")
    if not isinstance(res, list) or not res:
        got = "missing" if res is None else f"a JSON {_json_type(res)}" + (" with no entries" if res in ([], {}) else "")
        problems.append(Problem(F, None, "resources", f"'resources' must be a non-empty list of resource "
                                                      f"objects, got {got}"))
        return False
    names: dict[str, int] = {}
    ok = True
    for i, r in enumerate(res):
        where = f"resources[{i}]"
        if not isinstance(r, dict):
            problems.append(Problem(F, None, where, f"a resource must be an object, got a JSON {_json_type(r)}"))
            ok = False
            continue
        name = r.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(Problem(F, None, f"{where}.name", f"resource name must be lower-case letters, digits, "
                                                              f"'.', '_' or '-', got {name!r}"))
            ok = False
            continue
        if name in names:
            problems.append(Problem(F, None, f"{where}.name", f"resource name '{name}' is also resources[{names[name]}]"))
            ok = False
        names[name] = i
        ok &= _check_resource(r, f"resources[{i}] ({name})", problems, warnings)
    if ok:
        ok &= _check_foreign_keys(res, problems)
    return ok


def _json_type(v) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(v), "number")


def _check_package_props(desc: dict, problems: list[Problem]) -> None:
    if desc.get("profile", "data-package") not in ("data-package", "tabular-data-package"):
        problems.append(Problem(F, None, "profile", f"unknown profile {desc['profile']!r} (data-package)"))
    for key in ("name", "id", "title", "description", "version", "homepage", "created", "image", "report_url"):
        if key in desc and not isinstance(desc[key], str):
            problems.append(Problem(F, None, key, f"must be a string, got a JSON {_json_type(desc[key])}"))
    if "review_date" in desc:
        d = desc["review_date"]
        try:
            if not (isinstance(d, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d)):
                raise ValueError
            _dt.date.fromisoformat(d)
        except ValueError:
            problems.append(Problem(F, None, "review_date",
                                    f"must be a calendar date written YYYY-MM-DD (e.g. 2026-11-25), got {d!r}"))
    if "review_author" in desc:
        a = desc["review_author"]
        if isinstance(a, dict):
            if not isinstance(a.get("name"), str) or not a["name"].strip():
                problems.append(Problem(F, None, "review_author", "an author object needs a 'name' (a string)"))
        elif not isinstance(a, str) or not a.strip():
            problems.append(Problem(F, None, "review_author", "must be a name or an object with a 'name'"))
    if "review" in desc:
        rv = desc["review"]
        if not isinstance(rv, dict):
            problems.append(Problem(F, None, "review", f"must be an object, got a JSON {_json_type(rv)}"))
        else:
            for key in _REVIEW_STRINGS:
                if key in rv and (not isinstance(rv[key], str) or not rv[key].strip()):
                    problems.append(Problem(F, None, f"review.{key}", "must be a non-empty string"))
            plan = rv.get("article_plan", {})
            ranges = ("minutes", "sessions_per_week", "weeks", "maintenance_every_weeks")
            if not isinstance(plan, dict) or not all(
                    isinstance(plan[k], list) and len(plan[k]) == 2 and all(isinstance(x, (int, float)) for x in plan[k])
                    for k in ranges if k in plan):
                problems.append(Problem(F, None, "review.article_plan",
                                        "must be an object whose " + ", ".join(ranges) + " are [low, high] numbers"))
            for key in ("comparators", "comparators_short", "adverse_event_labels", "finding_topics",
                        "reader_terms", "glossary", "protocol_labels"):
                words = rv.get(key, {})
                if not isinstance(words, dict) or not all(isinstance(v, str) and v.strip() for v in words.values()):
                    problems.append(Problem(F, None, f"review.{key}",
                                            "must be an object of code -> words (non-empty strings)"))
            sic = rv.get("article_sic", [])
            if not isinstance(sic, list) or not all(isinstance(x, str) and "[sic]" in x for x in sic):
                problems.append(Problem(F, None, "review.article_sic",
                                        "must be a list of article phrases, each with '[sic]' after the slip"))
            _check_populations(rv.get("populations", {}), problems)
    lic = desc.get("licenses", [])
    if not isinstance(lic, list) or not all(isinstance(x, dict) and ("name" in x or "path" in x) for x in lic):
        problems.append(Problem(F, None, "licenses", "must be a list of objects, each with a 'name' or 'path'"))
    terms = desc.get("terms", {})
    if not isinstance(terms, dict) or not all(isinstance(v, str) for v in terms.values()):
        problems.append(Problem(F, None, "terms", "must be an object of term name -> rule (strings)"))
    if "keywords" in desc and not (isinstance(desc["keywords"], list)
                                   and all(isinstance(k, str) for k in desc["keywords"])):
        problems.append(Problem(F, None, "keywords", "must be a list of strings"))


def _check_populations(pops, problems: list[Problem]) -> None:
    def strings(v):
        return isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v)

    ok = isinstance(pops, dict) and all(strings(pops[k]) for k in _POPULATION_LISTS if k in pops)
    tol = pops.get("tolerated", {}) if isinstance(pops, dict) else None
    ok = ok and isinstance(tol, dict) and all(strings(v) for v in tol.values())
    if not ok:
        problems.append(Problem(F, None, "review.populations",
                                "must be an object whose " + ", ".join(_POPULATION_LISTS) + " are lists of subjects "
                                "(strings) and whose 'tolerated' maps a subtype to a list of subjects"))


def check_path(path, where: str, problems: list[Problem]) -> bool:
    """A resource path must be a relative POSIX path inside the package folder.

    Parameters
    ----------
    path : object
        The resource's ``path`` property.
    where : str
        Where it sits in the descriptor (for the message).
    problems : list of Problem
        Appended to when the path is not acceptable.

    Returns
    -------
    bool
        Whether the path may be read.

    References
    ----------
    Frictionless Data Package specification, "Data Location": paths are POSIX,
    relative to the descriptor, and must not start with ``/`` nor contain ``..``.
    """
    if not isinstance(path, str) or not path:
        problems.append(Problem(F, None, f"{where}.path", f"must be a file name (a string), got {path!r}"))
        return False
    parts = PurePosixPath(path).parts
    if (path.startswith(("/", "\\")) or PureWindowsPath(path).drive or ".." in parts or "\\" in path
            or re.match(r"^[a-z][a-z0-9+.-]*://", path, re.I)):
        problems.append(Problem(F, None, f"{where}.path",
                                f"'{path}' leaves the package folder (absolute, '..', a drive, a backslash or a URL); "
                                f"give a file name relative to datapackage.json"))
        return False
    return True


def _check_resource(r: dict, where: str, problems: list[Problem], warnings: list[Problem]) -> bool:
    for key in sorted(set(r) - _RESOURCE_KEYS):
        if key == "required":
            problems.append(Problem(F, None, f"{where}.required",
                                    "'required' is no longer read: every listed table must be present; "
                                    "write \"optional\": true on a table that may be absent"))
        else:
            warnings.append(Problem(F, None, f"{where}.{key}", "unknown resource property (kept, not used)"))
    ok = check_path(r.get("path"), where, problems)
    if "optional" in r and not isinstance(r["optional"], bool):
        problems.append(Problem(F, None, f"{where}.optional", f"must be true or false, got {r['optional']!r}"))
    if "encoding" in r and str(r["encoding"]).lower().replace("_", "-") not in ("utf-8", "utf8"):
        problems.append(Problem(F, None, f"{where}.encoding", f"files are read as utf-8, got {r['encoding']!r}; "
                                                              f"convert the file and say utf-8"))
    if "sha256" in r and not (isinstance(r["sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", r["sha256"])):
        problems.append(Problem(F, None, f"{where}.sha256", "must be 64 lower-case hex digits"))
    for key in ("title", "description", "format", "mediatype", "url"):
        if key in r and not isinstance(r[key], str):
            problems.append(Problem(F, None, f"{where}.{key}", f"must be a string, got a JSON {_json_type(r[key])}"))
    if "schema" not in r:
        return ok
    schema = r["schema"]
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        problems.append(Problem(F, None, f"{where}.schema", "a schema must be an object with a non-empty "
                                                            "'fields' list"))
        return False
    seen: set[str] = set()
    for j, f in enumerate(schema["fields"]):
        ok &= _check_field(f, f"{where}.fields[{j}]", seen, problems, warnings)
    if not ok:
        return False
    pk = schema.get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else pk
    if not isinstance(pk, list) or not all(isinstance(k, str) for k in pk):
        problems.append(Problem(F, None, f"{where}.primaryKey", "must be a field name or a list of field names"))
        return False
    for k in pk:
        if k not in seen:
            problems.append(Problem(F, None, f"{where}.primaryKey", f"'{k}' is not a field of this schema"))
            ok = False
    return ok


def _check_field(f, where: str, seen: set[str], problems: list[Problem], warnings: list[Problem]) -> bool:
    if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
        problems.append(Problem(F, None, where, "every field needs a 'name' (a non-empty string)"))
        return False
    name = f["name"]
    where = f"{where} ({name})"
    ok = True
    if name in seen:
        problems.append(Problem(F, None, where, f"field '{name}' is declared twice"))
        ok = False
    seen.add(name)
    for key in sorted(set(f) - _FIELD_KEYS):
        warnings.append(Problem(F, None, f"{where}.{key}", "unknown field property (kept, not used)"))
    if f.get("type", "string") not in FIELD_TYPES:
        problems.append(Problem(F, None, f"{where}.type", f"type {f.get('type')!r} is not one of "
                                                          f"{', '.join(FIELD_TYPES)} (the types this loader reads)"))
        ok = False
    if f.get("format", "default") != "default":
        problems.append(Problem(F, None, f"{where}.format", "only the 'default' format is read; remove 'format'"))
        ok = False
    if "description" in f and not isinstance(f["description"], str):
        problems.append(Problem(F, None, f"{where}.description", "must be a string"))
    c = f.get("constraints", {})
    if not isinstance(c, dict):
        problems.append(Problem(F, None, f"{where}.constraints", "must be an object"))
        return False
    for key, value in c.items():
        kind = CONSTRAINTS.get(key)
        if kind is None:
            problems.append(Problem(F, None, f"{where}.constraints.{key}",
                                    f"constraint '{key}' is not enforced by this loader ({', '.join(CONSTRAINTS)}); "
                                    f"remove it"))
            ok = False
        elif not isinstance(value, kind) or (kind != bool and isinstance(value, bool)):
            problems.append(Problem(F, None, f"{where}.constraints.{key}", f"has the wrong type "
                                                                           f"(got a JSON {_json_type(value)})"))
            ok = False
    if isinstance(c.get("pattern"), str):
        try:
            re.compile(c["pattern"])
        except re.error as exc:
            problems.append(Problem(F, None, f"{where}.constraints.pattern",
                                    f"{c['pattern']!r} is not a valid regular expression ({exc})"))
            ok = False
    return ok


def _check_foreign_keys(res: list[dict], problems: list[Problem]) -> bool:
    fields = {r["name"]: {f["name"] for f in r["schema"]["fields"]} for r in res if "schema" in r}
    ok = True
    for i, r in enumerate(res):
        if "schema" not in r:
            continue
        fks = r["schema"].get("foreignKeys", [])
        where = f"resources[{i}] ({r['name']}).foreignKeys"
        if not isinstance(fks, list):
            problems.append(Problem(F, None, where, "must be a list"))
            ok = False
            continue
        for j, fk in enumerate(fks):
            w = f"{where}[{j}]"
            ref = fk.get("reference") if isinstance(fk, dict) else None
            if not isinstance(ref, dict):
                problems.append(Problem(F, None, w, "a foreign key needs 'fields' and a 'reference' object"))
                ok = False
                continue
            own = _names(fk.get("fields"))
            theirs = _names(ref.get("fields"))
            target = ref.get("resource") or r["name"]
            if own is None or theirs is None or len(own) != len(theirs):
                problems.append(Problem(F, None, w, "'fields' and 'reference.fields' must be field names, "
                                                    "as many on each side"))
                ok = False
                continue
            if target not in fields:
                problems.append(Problem(F, None, w, f"refers to resource '{target}', which is not a table of "
                                                    f"this package"))
                ok = False
                continue
            for k in own:
                if k not in fields[r["name"]]:
                    problems.append(Problem(F, None, w, f"'{k}' is not a field of {r['name']}"))
                    ok = False
            for k in theirs:
                if k not in fields[target]:
                    problems.append(Problem(F, None, w, f"'{k}' is not a field of {target}"))
                    ok = False
    return ok


def _names(v) -> list[str] | None:
    v = [v] if isinstance(v, str) else v
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        return None
    return v
