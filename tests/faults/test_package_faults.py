"""Faults in the data package: each gives exactly the problem that names it, and no knock-on noise.

Every case breaks a fresh copy of the bundled package in one way and checks the
``file:line [column]: message`` it gets. ``MAX_PROBLEMS`` bounds the count so that one
fault cannot hide among hundreds of knock-on errors (deleting effects.csv used to give 239).
"""

from __future__ import annotations

import csv
import json
import os
import shutil

import pytest

import evidence_lib as ev

from tests.conftest import DATA
from tests.faults._faults import assert_clean_error, cli, edit_descriptor, problems_of, resource

MAX_PROBLEMS = 3


def _drop(copy, table, column):
    copy.drop_column(table, column)


def _delete(copy, table):
    (copy.root / f"{table}.csv").unlink()


def _desc(change):
    return lambda copy: edit_descriptor(copy.root, change)


def _bytes(table, transform):
    def apply(copy):
        path = copy.root / f"{table}.csv"
        path.write_bytes(transform(path.read_bytes()))
    return apply


def _unclose_quote(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    i = next(i for i, ln in enumerate(lines) if i > 3 and ln.endswith(b'",'))
    lines[i] = lines[i][:-2] + b","  # the closing quote of the quote cell of this row
    return b"\n".join(lines)


def _latin1(raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    lines[6] = lines[6].replace(b",", ",caf\u00e9".encode("latin-1"), 1)
    return b"\n".join(lines)


def _big_cell(copy):
    names, rows = copy.rows("findings")
    rows[0]["finding"] = rows[0]["finding"] + " " + "x" * 200_000
    copy.write("findings", names, rows)


def _folder_for_csv(copy):
    (copy.root / "arms.csv").unlink()
    (copy.root / "arms.csv").mkdir()


def _unknown_analysis(copy):
    names, rows = copy.rows("claim_evidence")
    i = next(i for i, r in enumerate(rows) if r["table"] == "analyses")
    rows[i]["row_id"] = "network-pain-long"
    copy.write("claim_evidence", names, rows)


def _analysis_line() -> int:
    """File line of the first link to an analysis in the bundled claim_evidence.csv (header is line 1)."""
    with open(DATA / "claim_evidence.csv", newline="", encoding="utf-8") as fh:
        return next(i for i, r in enumerate(csv.DictReader(fh)) if r["table"] == "analyses") + 2


#: kind -> (how to break the copy, (file, line, column, words of the message)), one problem expected
#: The bundled descriptor's resource count and the index of grade (faults below are located by index).
_RESOURCES = [r["name"] for r in json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]]
_N, _GRADE = len(_RESOURCES), _RESOURCES.index("grade")


def _rows(path) -> int:
    """Data rows of a bundled CSV, counted with the csv module (independently of the loader)."""
    with open(path, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


CASES = {
    "declared column removed (effects.timepoint_weeks)":
        (lambda c: _drop(c, "effects", "timepoint_weeks"), ("effects.csv", 1, "timepoint_weeks", "missing from the header")),
    "declared column removed (sources.doi)":
        (lambda c: _drop(c, "sources", "doi"), ("sources.csv", 1, "doi", "missing from the header")),
    "listed table deleted (trial_data)": (lambda c: _delete(c, "trial_data"), ("trial_data.csv", None, None, "the file is missing")),
    "listed table deleted (claim_evidence)":
        (lambda c: _delete(c, "claim_evidence"), ("claim_evidence.csv", None, None, "the file is missing")),
    "listed table deleted (verification)":
        (lambda c: _delete(c, "verification"), ("verification.csv", None, None, "the file is missing")),
    "listed table deleted (grade)": (lambda c: _delete(c, "grade"), ("grade.csv", None, None, "the file is missing")),
    "listed table deleted (scorecard)": (lambda c: _delete(c, "scorecard"), ("scorecard.csv", None, None, "the file is missing")),
    "listed table deleted (effects)": (lambda c: _delete(c, "effects"), ("effects.csv", None, None, "the file is missing")),
    "article deleted": (lambda c: (c.root / "article.txt").unlink(), ("article.txt", None, None, "the file is missing")),
    "folder where a CSV should be": (_folder_for_csv, ("arms.csv", None, None, "is a folder, not a file")),
    "resources is []": (_desc(lambda d: d.update(resources=[])), ("datapackage.json", None, "resources", "non-empty list")),
    "resources is {}": (_desc(lambda d: d.update(resources={})), ("datapackage.json", None, "resources", "non-empty list")),
    "resource is not an object": (_desc(lambda d: d["resources"].append("grade.csv")),
                                  ("datapackage.json", None, f"resources[{_N}]", "must be an object")),
    "two resources with one name": (_desc(lambda d: d["resources"].append(dict(resource(d, "grade")))),
                                    ("datapackage.json", None, f"resources[{_N}].name", f"is also resources[{_GRADE}]")),
    "field without a name": (_desc(lambda d: resource(d, "claims")["schema"]["fields"][0].pop("name")),
                             ("datapackage.json", None, "resources[1] (claims).fields[0]", "needs a 'name'")),
    "field of an unsupported type": (_desc(lambda d: resource(d, "claims")["schema"]["fields"][1].update(type="date")),
                                     ("datapackage.json", None, "resources[1] (claims).fields[1] (start).type", "is not one of")),
    "constraint the loader does not enforce":
        (_desc(lambda d: resource(d, "claims")["schema"]["fields"][0]["constraints"].update(minLength=2)),
         ("datapackage.json", None, "constraints.minLength", "not enforced")),
    "invalid regex pattern":
        (_desc(lambda d: resource(d, "sources")["schema"]["fields"][0].setdefault("constraints", {}).update(pattern="[a-")),
         ("datapackage.json", None, "constraints.pattern", "not a valid regular expression")),
    "foreign key to an unknown field":
        (_desc(lambda d: resource(d, "effects")["schema"]["foreignKeys"][0]["reference"].update(fields="nope")),
         ("datapackage.json", None, "resources[4] (effects).foreignKeys[0]", "'nope' is not a field of sources")),
    "foreign key to an unknown table":
        (_desc(lambda d: resource(d, "effects")["schema"]["foreignKeys"][0]["reference"].update(resource="nope")),
         ("datapackage.json", None, "resources[4] (effects).foreignKeys[0]", "resource 'nope'")),
    "primary key naming no field": (_desc(lambda d: resource(d, "claims")["schema"].update(primaryKey=["claim"])),
                                    ("datapackage.json", None, "resources[1] (claims).primaryKey", "'claim' is not a field")),
    "invalid review_date": (_desc(lambda d: d.update(review_date="2026-13-45")),
                            ("datapackage.json", None, "review_date", "YYYY-MM-DD")),
    "review_date of the wrong type": (_desc(lambda d: d.update(review_date=20261125)),
                                      ("datapackage.json", None, "review_date", "YYYY-MM-DD")),
    "resource path with ..": (_desc(lambda d: resource(d, "claims").update(path="../data/claims.csv")),
                              ("datapackage.json", None, "resources[1] (claims).path", "leaves the package folder")),
    "absolute resource path": (_desc(lambda d: resource(d, "claims").update(path="/etc/hostname")),
                               ("datapackage.json", None, "resources[1] (claims).path", "leaves the package folder")),
    "resource path is a URL": (_desc(lambda d: resource(d, "claims").update(path="https://example.org/c.csv")),
                               ("datapackage.json", None, "resources[1] (claims).path", "leaves the package folder")),
    "optional is not a boolean": (_desc(lambda d: resource(d, "grade").update(optional="yes")),
                                  ("datapackage.json", None, f"resources[{_GRADE}] (grade).optional", "true or false")),
    "a resource the package needs is not listed": (_desc(lambda d: d["resources"].remove(resource(d, "grade"))),
                                                   ("datapackage.json", None, "resources", "no table resource named 'grade'")),
    "descriptor not valid JSON": (lambda c: (c.root / "datapackage.json").write_text('{"name": '),
                                  ("datapackage.json", 1, None, "not valid JSON")),
    "descriptor is a JSON array": (lambda c: (c.root / "datapackage.json").write_text("[]"),
                                   ("datapackage.json", None, None, "must be a JSON object")),
    "descriptor deleted": (lambda c: (c.root / "datapackage.json").unlink(),
                           ("datapackage.json", None, None, "no descriptor found")),
    "unclosed quote": (_bytes("claims", _unclose_quote), ("claims.csv", 6, None, "unclosed quote")),
    "Latin-1 bytes": (_bytes("sources", _latin1), ("sources.csv", 7, None, "not UTF-8")),
    "NUL byte": (_bytes("arms", lambda b: b.replace(b",", b",\x00", 1)), ("arms.csv", 1, None, "NUL byte")),
    "empty file": (_bytes("protocols", lambda b: b""), ("protocols.csv", None, None, "empty file")),
    "quote ends a cell in mid-text": (_bytes("findings", lambda b: b.replace(b"\n", b'\n"x"y', 3).replace(b'\n"x"y', b"\n", 2)),
                                      ("findings.csv", 4, None, "a quote ends a cell in mid-text")),
    "blank line": (_bytes("thresholds", lambda b: b.replace(b"\n", b"\n\n", 2).replace(b"\n\n", b"\n", 1)),
                   ("thresholds.csv", 3, None, "blank line")),
    "unknown column": (_bytes("arms", lambda b: b.replace(b"\n", b",extra\n")), ("arms.csv", 1, "extra", "unknown column")),
    "a column added to the header only": (_bytes("arms", lambda b: b.replace(b"\n", b",extra\n", 1)),
                                          ("arms.csv", 2, None, "every row has 17 cells but the header has 18")),
    "duplicate column": (lambda c: _dup_column(c), ("scorecard.csv", 1, "criterion_id", "more than once")),
    "claim evidence names an unknown analysis": (_unknown_analysis, ("claim_evidence.csv", _analysis_line(), "row_id",
                                                                     "unknown analysis 'network-pain-long'")),
    "short row": (_bytes("protocols", lambda b: b.rstrip(b"\n").rsplit(b",", 1)[0] + b"\n"),
                  ("protocols.csv", None, None, "cells but the header has")),
    "a plan label that is not words": (_desc(lambda d: d["review"]["protocol_labels"].update({"yuan2009-low": 2})),
                                       ("datapackage.json", None, "review.protocol_labels", "code -> words")),
}


def _dup_column(copy):
    path = copy.root / "scorecard.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines = [ln + "," + (ln.split(",")[0] if i else "criterion_id") if ln else ln for i, ln in enumerate(lines)]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_fault_is_named_for_what_it_is(kind, data_copy):
    breaker, (file, line, column, words) = CASES[kind]
    breaker(data_copy)
    probs = problems_of(data_copy.root)
    hits = [p for p in probs if p.file == file and (line is None or p.line == line)
            and (column is None or (p.column or "").endswith(column)) and words in p.message]
    assert hits, "\n".join(map(str, probs))
    assert len(probs) <= MAX_PROBLEMS, f"{len(probs)} problems (knock-on noise):\n" + "\n".join(map(str, probs[:10]))


def test_a_declared_column_removed_from_its_file_is_one_error_naming_it(data_copy):
    """Removed columns used to pass: effects-over-time drew 3 trials of 6 and 37 DOI links vanished."""
    data_copy.drop_column("effects", "timepoint_weeks")
    data_copy.drop_column("sources", "doi")
    probs = problems_of(data_copy.root)
    assert [str(p).split(":", 2)[:2] for p in probs] == [["effects.csv", "1 [timepoint_weeks]"], ["sources.csv", "1 [doi]"]]


def test_an_optional_table_may_be_absent_and_says_so(data_copy):
    (data_copy.root / "effects.csv").unlink()
    edit_descriptor(data_copy.root, lambda d: resource(d, "effects").update(optional=True))
    ds = ev.load(data_copy.root)
    assert ds.absent_tables == ("effects",)
    assert ds.effects.empty and list(ds.effects.columns)[0] == "effect_id"
    assert [w.file for w in ds.warnings if "absent" in w.message] == ["effects.csv"]
    out = cli("validate", data_copy.root)
    assert out.returncode == 0 and "absent (optional) tables: effects" in out.stdout


def test_bundled_package_has_no_absent_tables(ds):
    assert ds.absent_tables == ()


def test_a_byte_order_mark_is_accepted(data_copy):
    path = data_copy.root / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    ds = ev.load(data_copy.root)
    assert list(ds.claims.columns)[0] == "claim_id" and len(ds.claims) == 38


def test_a_cell_over_128_kib_is_read_whole(data_copy):
    _big_cell(data_copy)
    ds = ev.load(data_copy.root)
    assert len(ds.findings.iloc[0]["finding"]) > 200_000


def test_crlf_line_endings_are_read(data_copy):
    path = data_copy.root / "sources.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert len(ev.load(data_copy.root).sources) == _rows(DATA / "sources.csv")


def test_all_problems_at_once_across_kinds(data_copy):
    data_copy.drop_column("sources", "doi")
    (data_copy.root / "grade.csv").unlink()
    data_copy.edit("claims", 0, verdict="bad")
    probs = problems_of(data_copy.root)
    assert {p.file for p in probs} == {"sources.csv", "grade.csv", "claims.csv"}


def test_unreadable_file_and_folder(data_copy, monkeypatch):
    """An unreadable file or folder is a problem naming it (simulated when running as root)."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        os.chmod(data_copy.root / "arms.csv", 0)
        try:
            probs = problems_of(data_copy.root)
        finally:
            os.chmod(data_copy.root / "arms.csv", 0o644)
    else:
        from pathlib import Path

        real = Path.read_bytes

        def deny(self):
            if self.name == "arms.csv":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", deny)
        probs = problems_of(data_copy.root)
    (p,) = probs
    assert p.file == "arms.csv" and "permission denied" in p.message and "chmod" in p.message


def test_validate_given_the_descriptor_file(data_copy):
    out = cli("validate", data_copy.root / "datapackage.json")
    assert out.returncode == 0 and out.stdout.startswith("OK:"), out.stderr


@pytest.mark.parametrize("where", ["missing folder", "a file"])
def test_validate_given_no_package(tmp_path, where):
    target = tmp_path / "nowhere"
    if where == "a file":
        target.write_text("x")
    out = cli("validate", target)
    assert_clean_error(out, says=("give the folder that holds datapackage.json",))


def test_cli_reports_every_fault_without_a_traceback(data_copy):
    _delete(data_copy, "effects")
    edit_descriptor(data_copy.root, lambda d: resource(d, "claims")["schema"]["fields"][0]["constraints"].update(
        pattern="("))
    out = cli("validate", data_copy.root)
    assert_clean_error(out, says=("datapackage.json [resources[1] (claims).fields[0] (claim_id).constraints.pattern]",))


def _extra_verification_rows(copy, n):
    """``n`` valid verification rows (distinct table/row/column cells that exist)."""
    names, rows = copy.rows("verification")
    taken = {(r["table"], r["row_id"], r["column"]) for r in rows}
    extra = []
    for table in ("sources", "effects", "arms", "findings", "adverse_events", "pooled_results", "protocols",
                  "thresholds", "claims"):
        cols, trows = copy.rows(table)
        for tr in trows:
            for col in cols[1:]:
                key = (table, tr[cols[0]], col)
                if key not in taken and len(extra) < n:
                    extra.append(dict(zip(names, [*key, "", "", "not_seen", "fault suite", ""])))
    k = 0
    while len(extra) < n:  # trial_data rows are keyed by analysis and study label; any label is taken as such
        extra.append(dict(zip(names, ["trial_data", f"fault-suite-{k}", "estimate", "", "", "not_seen", "fault suite", ""])))
        k += 1
    copy.write("verification", names, rows + extra)


def test_validation_is_linear_in_verification_rows(data_copy):
    """8,000 extra verification rows used to take 60 s (quadratic); now about as long as the rest."""
    import time

    t0 = time.perf_counter()
    ev.load(data_copy.root)
    base = time.perf_counter() - t0
    _extra_verification_rows(data_copy, 8000)
    t0 = time.perf_counter()
    ds = ev.load(data_copy.root)
    extra = time.perf_counter() - t0
    assert len(ds.verification) == _rows(DATA / "verification.csv") + 8000
    assert extra < max(15.0, 6 * base), (base, extra)


def test_an_unknown_analysis_says_which_analyses_exist_and_what_to_do(data_copy):
    """A link to an analysis the package does not compute: one problem naming file, row, column and the fix."""
    _unknown_analysis(data_copy)
    (p,) = problems_of(data_copy.root)
    assert (p.file, p.line, p.column) == ("claim_evidence.csv", _analysis_line(), "row_id")
    assert "unknown analysis 'network-pain-long'" in p.message
    assert "network-pain-short" in p.message and "Use one of these" in p.message
    out = cli("validate", data_copy.root)
    assert_clean_error(out, says=(f"claim_evidence.csv:{_analysis_line()} [row_id]", "unknown analysis"))


def test_a_known_analysis_link_is_valid_and_unchecked_against_tables(data_copy):
    """table=analyses is not looked up in a data table (no data table is called analyses)."""
    names, rows = data_copy.rows("claim_evidence")
    rows.append(dict(claim_id="C16", table="analyses", row_id="network-pain-short", role="context", note=""))
    data_copy.write("claim_evidence", names, rows)
    ds = ev.load(data_copy.root)
    assert list(ds.evidence_for("C16")["analyses"]["analysis_id"]) == ["network-pain-short"]
