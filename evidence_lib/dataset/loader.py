"""Load and validate the bundled data package (or any copy of it).

>>> import evidence_lib as ev
>>> ds = ev.load()                      # doctest: +SKIP
>>> ds.claims.head()                    # doctest: +SKIP

Validation runs on every load and lists every problem at once in one
:class:`~evidence_lib.errors.DataValidationError`; nothing half-loaded is returned.
The descriptor's own shape is checked first (:mod:`evidence_lib.dataset.shape`);
schema-level checks (types, required values, vocabularies, patterns, keys) come from
``datapackage.json``; :mod:`evidence_lib.dataset.rules` adds what a schema cannot say
(a quote must be found at its offsets, a confidence interval must contain its estimate, ...).

Every table the descriptor lists must be present, and every column it declares must be
in its file; a table that may be absent says so (``"optional": true`` on its resource)
and, when absent, is named in :attr:`Dataset.absent_tables`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_lib.dataset import descriptor as dp
from evidence_lib.dataset.article import Article
from evidence_lib.dataset.csvfile import read_bytes
from evidence_lib.dataset.derived import DerivedViews
from evidence_lib.dataset.rules import check_rules
from evidence_lib.dataset.shape import check_descriptor, check_path
from evidence_lib.errors import DataValidationError, Problem
from evidence_lib.vocab import ANALYSIS_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Tables loaded onto :class:`Dataset`, in the order of the descriptor.
TABLES = (
    "claims", "sources", "claim_sources", "effects", "arms", "trial_data", "pooled_results",
    "adverse_events", "protocols", "thresholds", "findings", "claim_evidence", "verification",
    "claim_frames", "summary_of_findings", "risk_of_bias", "grade", "scorecard",
)


def default_data_path() -> Path:
    """The data package this package works on by default.

    ``$EVIDENCE_DATA`` if set, else the bundled data package, installed with the library
    as ``evidence_lib.bundled_data`` (built from the repository's ``data/``; an editable
    install reads ``data/`` itself).

    Returns
    -------
    pathlib.Path
        The folder holding ``datapackage.json``.
    """
    env = os.environ.get("EVIDENCE_DATA")
    if env:
        return Path(env)
    import importlib.util

    spec = importlib.util.find_spec("evidence_lib.bundled_data")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[2] / "data"  # a source checkout not installed


@dataclass(frozen=True)
class Dataset:
    """A loaded, validated data package.

    Every table is a pandas DataFrame with the columns of its Table Schema (an absent
    optional table is an empty frame with those columns, and its name is in
    ``absent_tables``). ``warnings`` holds findings that are flagged but not fixed (e.g.
    a p-value that does not match its CI).

    The tables are read-only once loaded: views derived from them are computed once per
    Dataset (``derived_views``, see :mod:`evidence_lib.dataset.derived`), so other tables
    make a new Dataset (``dataclasses.replace``), never a table changed in place.
    """

    root: Path
    article: Article
    descriptor: dict
    claims: "pd.DataFrame"
    sources: "pd.DataFrame"
    claim_sources: "pd.DataFrame"
    effects: "pd.DataFrame"
    arms: "pd.DataFrame"
    trial_data: "pd.DataFrame"
    pooled_results: "pd.DataFrame"
    adverse_events: "pd.DataFrame"
    protocols: "pd.DataFrame"
    thresholds: "pd.DataFrame"
    findings: "pd.DataFrame"
    claim_evidence: "pd.DataFrame"
    verification: "pd.DataFrame"
    claim_frames: "pd.DataFrame"
    summary_of_findings: "pd.DataFrame"
    risk_of_bias: "pd.DataFrame"
    grade: "pd.DataFrame"
    scorecard: "pd.DataFrame"
    warnings: tuple[Problem, ...] = field(default=())
    #: Tables the descriptor marks ``"optional": true`` that are absent from the folder, in
    #: descriptor order. Anything shown from the data should say these are missing.
    absent_tables: tuple[str, ...] = field(default=())
    #: Views derived from this Dataset, computed once each (:func:`evidence_lib.dataset.derived.per_dataset`).
    #: Its own: not an argument, not compared, and empty in a Dataset made by ``dataclasses.replace``.
    derived_views: DerivedViews = field(default_factory=DerivedViews, init=False, repr=False, compare=False)

    def table(self, name: str) -> "pd.DataFrame":
        """A table by name (``ds.table('effects')``).

        Parameters
        ----------
        name : str
            One of the package's table names.

        Returns
        -------
        pandas.DataFrame
            The table.

        Raises
        ------
        KeyError
            If ``name`` is not a table; the message lists the tables.
        """
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are: {', '.join(TABLES)}")
        return getattr(self, name)

    @property
    def tables(self) -> dict[str, "pd.DataFrame"]:
        """All tables by name."""
        return {name: getattr(self, name) for name in TABLES}

    def claim(self, claim_id: str):
        """One claim as a pandas Series; KeyError naming the known ids if absent.

        Parameters
        ----------
        claim_id : str
            The claim's id (``claims.claim_id``).

        Returns
        -------
        pandas.Series
            The claim's row.

        Raises
        ------
        KeyError
            If there is no such claim.
        """
        hit = self.claims[self.claims["claim_id"] == claim_id]
        if hit.empty:
            raise KeyError(f"no claim {claim_id!r}; claims run from {self.claims['claim_id'].iloc[0]} "
                           f"to {self.claims['claim_id'].iloc[-1]}")
        return hit.iloc[0]

    def sources_for(self, claim_id: str) -> "pd.DataFrame":
        """The sources linked to a claim, with their role and note.

        Parameters
        ----------
        claim_id : str
            The claim's id (``claims.claim_id``).

        Returns
        -------
        pandas.DataFrame
            One row per linked source: the ``claim_sources`` link merged with ``sources``.
        """
        links = self.claim_sources[self.claim_sources["claim_id"] == claim_id]
        return links.merge(self.sources, on="source_id", how="left")

    def frames_for(self, claim_id: str) -> "pd.DataFrame":
        """The frames (propositions) of one claim, from ``claim_frames.csv``.

        Parameters
        ----------
        claim_id : str
            The claim's id (``claims.claim_id``).

        Returns
        -------
        pandas.DataFrame
            The claim's rows of ``claim_frames``.
        """
        return self.claim_frames[self.claim_frames["claim_id"] == claim_id]

    def evidence_for(self, claim_id: str) -> dict[str, "pd.DataFrame"]:
        """Evidence rows a claim's verdict rests on, per table (only non-empty tables).

        Parameters
        ----------
        claim_id : str
            The claim's id (``claims.claim_id``).

        Returns
        -------
        dict of str to pandas.DataFrame
            Table name -> its linked rows with the link's ``role`` and ``link_note``. Links to
            analyses (``table`` = ``analyses``) come under ``"analyses"`` with columns
            ``analysis_id``, ``title`` (:data:`evidence_lib.vocab.ANALYSIS_LABELS`), ``role``
            and ``link_note``: the analysis itself is computed by the review layer.
        """
        import pandas as pd

        links = self.claim_evidence[self.claim_evidence["claim_id"] == claim_id]
        out = {}
        for tname, grp in links.groupby("table", sort=False):
            if tname == "analyses":
                out[tname] = pd.DataFrame({"analysis_id": list(grp["row_id"]),
                                           "title": [ANALYSIS_LABELS.get(a, a) for a in grp["row_id"]],
                                           "role": list(grp["role"]), "link_note": list(grp["note"])})
                continue
            t = self.table(tname)
            key = t.columns[0]
            rows = t[t[key].isin(grp["row_id"])].merge(
                grp[["row_id", "role", "note"]].rename(columns={"row_id": key, "note": "link_note"}),
                on=key, how="left")
            out[tname] = rows
        return out


def load(path: str | os.PathLike | None = None) -> Dataset:
    """Load and validate a data package.

    Parameters
    ----------
    path : str or path-like, optional
        Folder holding ``datapackage.json`` (or the ``datapackage.json`` file itself);
        default :func:`default_data_path`.

    Returns
    -------
    Dataset

    Raises
    ------
    DataValidationError
        With every problem found (file, line, column, message), if there are any.
    """
    root = Path(path) if path is not None else default_data_path()
    if root.name == "datapackage.json" and root.is_file():
        root = root.parent
    problems: list[Problem] = []
    warnings: list[Problem] = []
    descriptor = dp.read_descriptor(root, problems)
    if descriptor is None or not check_descriptor(descriptor, problems, warnings):
        raise DataValidationError(problems, str(root))
    res = dp.resources(descriptor)
    for name in TABLES:
        if name not in res:
            problems.append(Problem("datapackage.json", None, "resources",
                                    f"no table resource named '{name}' (with a schema); this package needs it"))
    if problems:
        raise DataValidationError(problems, str(root))

    article = _load_article(root, descriptor, problems)
    tables, broken, absent = {}, set(), []
    for name in TABLES:
        r = res[name]
        if r.optional and not (root / r.path).exists():
            absent.append(name)
            df = None
        else:
            df = dp.read_table(root, r, problems)
            if df is None or df.attrs.get("incomplete"):
                broken.add(name)
        tables[name] = df if df is not None else _empty(r)
    for name in absent:
        warnings.append(Problem(res[name].path, None, None, "absent (optional in datapackage.json): shown as "
                                                            "missing, and links to its rows are not checked"))
    unchecked = broken | set(absent)
    dp.check_foreign_keys(tables, res, problems, unchecked)
    check_rules(tables, article, problems, warnings, unchecked)
    if problems:
        raise DataValidationError(problems, str(root))
    return Dataset(root=root, article=article, descriptor=descriptor, warnings=tuple(warnings),
                   absent_tables=tuple(absent), **tables)


def _empty(res: dp.Resource):
    import pandas as pd

    df = pd.DataFrame({f.name: pd.Series(dtype="object") for f in res.fields})
    df.attrs["lines"] = dp.LineNumbers()
    df.attrs["file"] = res.path
    return df


def _load_article(root: Path, descriptor: dict, problems: list[Problem]) -> Article | None:
    meta = next((r for r in descriptor["resources"] if r.get("name") == "article"), None)
    if meta is None:
        problems.append(Problem("datapackage.json", None, "resources", "no 'article' resource"))
        return None
    if not check_path(meta.get("path"), "article", []):
        return None  # reported by the shape check
    raw = read_bytes(root / meta["path"], meta["path"], problems)
    if raw is None:
        return None
    expected = meta.get("sha256")
    if expected and hashlib.sha256(raw).hexdigest() != expected:
        problems.append(Problem(meta["path"], None, None,
                                "the article differs from the text that was reviewed (sha256 mismatch); "
                                "the article must never be edited: restore it from version control"))
    try:
        return Article.from_text(raw.decode("utf-8"), title=meta.get("title", ""), path=str(root / meta["path"]))
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(meta["path"], line, None, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                                         f"restore the article from version control"))
        return None
