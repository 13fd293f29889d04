"""Start the review of another article: an empty, valid data package (``evidence new``).

The new package has the bundled descriptor's tables and schemas (so every tool of the
library reads it), emptied of the bundled review's own content:

- the article resource describes the new article, with its SHA-256; the article is copied
  byte for byte;
- the ``review`` block names the new intervention and condition and nothing else (fill in
  ``comparators``, ``populations``, ``article_plan`` as the review goes);
- every table is an empty CSV file with its header;
- enumerations of who was studied (``sources.subjects``, ``findings.subjects``,
  ``claim_frames.population``) start from the new condition and the generic groups the
  library's rules know (healthy volunteers, animals, general population, mixed conditions);
- fields the template marks as belonging to its own review (a description starting with
  "Review-specific") are left out.

``evidence validate``, ``evidence check`` and ``evidence build`` run on the result; the
build's figures say "no data yet" and the report lists the tables still empty.
"""

from __future__ import annotations

import copy
import csv
import datetime as _dt
import hashlib
import io
import json
import re
from pathlib import Path

from evidence_lib._io import atomic_write_bytes, atomic_write_text

#: Subject groups the library's rules know by name (evidence kinds, population checks).
GENERIC_SUBJECTS = ("healthy volunteers", "animals", "general population", "mixed conditions")
#: Fields whose vocabulary is who was studied: rebuilt from the new condition.
SUBJECT_FIELDS = {("sources", "subjects"), ("findings", "subjects"), ("claim_frames", "population")}
_SPECIFIC = "Review-specific"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "review"


def scaffold_descriptor(template: dict, *, article_name: str, article_sha256: str, title: str,
                        intervention: str, condition: str, url: str | None = None,
                        date: _dt.date | None = None) -> dict:
    """The descriptor of a new, empty review, built from a template descriptor.

    Parameters
    ----------
    template : dict
        A valid descriptor (the bundled ``datapackage.json``); it is not changed.
    article_name : str
        The article's file name inside the new package (e.g. ``article.txt``).
    article_sha256 : str
        The article's SHA-256 (64 lower-case hex digits).
    title : str
        The article's title as published.
    intervention, condition : str
        What the article is about (the ``review`` block's words).
    url : str, optional
        Where the article was read (the article resource's ``url``).
    date : datetime.date, optional
        The review date (default today).

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        ``title``, ``intervention`` or ``condition`` is empty, or ``url`` is not http(s).
    """
    for name, value in (("title", title), ("intervention", intervention), ("condition", condition)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}; pass --{name} WORDS")
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise ValueError(f"url must be an http(s) address, got {url!r}; pass --url https://...")
    title, intervention, condition = title.strip(), intervention.strip(), condition.strip()
    desc = {
        "profile": template.get("profile", "data-package"),
        "name": _slug(f"{intervention}-{condition}-claims"),
        "title": f"Claims of '{title}' and the evidence behind them",
        "version": "0.1.0",
        "description": template.get("description", ""),
        "review_date": (date or _dt.date.today()).isoformat(),
        "review_author": "the reviewers",
        "licenses": copy.deepcopy(template.get("licenses", [])),
        "terms": copy.deepcopy(template.get("terms", {})),
        "review": {
            "intervention": intervention,
            "intervention_label": intervention[:1].upper() + intervention[1:],
            "condition": condition,
            "condition_label": condition[:1].upper() + condition[1:],
            "comparators": {},
            "populations": {},
            "description": ("Words of this review that the library shows to readers. Fill in comparators "
                            "(comparator code -> name), populations (the condition's subtypes and related "
                            "groups for the claim checks) and article_plan as the review goes."),
        },
        "resources": [],
    }
    for res in template["resources"]:
        r = copy.deepcopy(res)
        if "schema" not in r:  # the article
            r = {k: v for k, v in r.items() if k in ("name", "format", "mediatype", "encoding")}
            r.update(path=article_name, title=title, sha256=article_sha256,
                     description="The article under review, exactly as received (byte for byte; never edited).")
            if url:
                r["url"] = url
            desc["resources"].append(r)
            continue
        fields = []
        for f in r["schema"]["fields"]:
            if str(f.get("description", "")).startswith(_SPECIFIC):
                continue
            if (r["name"], f["name"]) in SUBJECT_FIELDS and "enum" in f.get("constraints", {}):
                f["constraints"]["enum"] = [condition, *[s for s in GENERIC_SUBJECTS if s != condition]]
            fields.append(f)
        names = {f["name"] for f in fields}
        r["schema"]["fields"] = fields
        for key in ("primaryKey",):
            if key in r["schema"]:
                pk = r["schema"][key]
                if any(k not in names for k in ([pk] if isinstance(pk, str) else pk)):
                    del r["schema"][key]
        r["schema"]["foreignKeys"] = [fk for fk in r["schema"].get("foreignKeys", [])
                                      if all(k in names for k in ([fk["fields"]] if isinstance(fk["fields"], str)
                                                                  else fk["fields"]))]
        if not r["schema"]["foreignKeys"]:
            del r["schema"]["foreignKeys"]
        desc["resources"].append(r)
    return desc


def new_review(article, out_dir, *, title: str, intervention: str, condition: str, url: str | None = None,
               template=None, date: _dt.date | None = None) -> Path:
    """Write an empty, valid review of ``article`` into ``out_dir``.

    Parameters
    ----------
    article : path
        The article's text (UTF-8); copied byte for byte as ``article.txt``.
    out_dir : path
        The new package folder; created if absent, and must not hold a ``datapackage.json`` yet.
    title, intervention, condition, url : str
        See :func:`scaffold_descriptor`.
    template : path, optional
        A data package folder whose descriptor is the template (default: the bundled one).
    date : datetime.date, optional
        The review date (default today).

    Returns
    -------
    pathlib.Path
        The new package folder.

    Raises
    ------
    ValueError
        The article is not UTF-8 text, the folder already holds a data package, or an option
        is empty (see :func:`scaffold_descriptor`).
    OSError
        The article cannot be read or the folder cannot be written.
    """
    from evidence_lib.dataset.loader import default_data_path

    raw = Path(article).read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"article {article}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                         f"convert it to UTF-8 first") from None
    out = Path(out_dir)
    if (out / "datapackage.json").exists():
        raise ValueError(f"out_dir {out} already holds a datapackage.json; choose an empty folder")
    tdir = Path(template) if template is not None else default_data_path()
    tmpl = json.loads((tdir / "datapackage.json").read_text(encoding="utf-8"))
    desc = scaffold_descriptor(tmpl, article_name="article.txt", article_sha256=hashlib.sha256(raw).hexdigest(),
                               title=title, intervention=intervention, condition=condition, url=url, date=date)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "article.txt", raw)
    for r in desc["resources"]:
        if "schema" not in r:
            continue
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\n").writerow([f["name"] for f in r["schema"]["fields"]])
        atomic_write_text(out / r["path"], buf.getvalue())
    atomic_write_text(out / "datapackage.json", json.dumps(desc, indent=2, ensure_ascii=False) + "\n")
    return out
