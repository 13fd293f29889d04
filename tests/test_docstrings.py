"""Every public top-level function and class of evidence_lib carries a numpydoc docstring.

The rule, read from the source with ``ast`` (nothing is imported):

* a class (name not starting with ``_``) has a docstring;
* a function (name not starting with ``_``) that takes arguments besides ``self``/``cls``
  has a docstring with a ``Parameters`` section and a ``Returns`` (or ``Yields``) section,
  each a numpydoc heading underlined with dashes.

One test per module. Modules under ``evidence_lib/meta/`` and ``evidence_lib/output/`` and
``evidence_lib/cli.py`` are marked xfail (not strict) while their owners write their
docstrings; remove the mark once they are done.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evidence_lib"
_PENDING = ("meta/", "output/", "cli.py")
_PENDING_REASON = "docstrings being written by the meta/output owners"


def _has_section(doc: str, *names: str) -> bool:
    return any(re.search(rf"^\s*{name}\s*\n\s*-{{3,}}\s*$", doc, re.M) for name in names)


def _arguments(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = node.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return [n for n in names if n not in ("self", "cls")]


def docstring_faults(source: str) -> list[str]:
    """The public top-level functions and classes of ``source`` whose docstrings fall short.

    Parameters
    ----------
    source : str
        Python source code of one module.

    Returns
    -------
    list of str
        One entry per fault, ``"name: what is missing"``; empty when every docstring is complete.
    """
    faults = []
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.name.startswith("_"):
            continue
        doc = ast.get_docstring(node) or ""
        if not doc.strip():
            faults.append(f"{node.name}: no docstring")
            continue
        if isinstance(node, ast.ClassDef) or not _arguments(node):
            continue
        missing = []
        if not _has_section(doc, "Parameters"):
            missing.append("Parameters")
        if not _has_section(doc, "Returns", "Yields"):
            missing.append("Returns")
        if missing:
            faults.append(f"{node.name}: no {' or '.join(missing)} section")
    return faults


def _modules():
    params = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        marks = ()
        if rel.startswith(_PENDING):
            marks = (pytest.mark.xfail(strict=False, reason=_PENDING_REASON),)
        params.append(pytest.param(path, id=rel, marks=marks))
    return params


@pytest.mark.parametrize("path", _modules())
def test_public_docstrings_have_numpydoc_sections(path):
    faults = docstring_faults(path.read_text(encoding="utf-8"))
    assert not faults, f"{path.relative_to(PACKAGE.parent)}:\n  " + "\n  ".join(faults)


def test_modules_are_found():
    ids = {p.id for p in _modules()}
    assert {"vocab.py", "review/grading.py", "plotting/forest.py", "dataset/loader.py"} <= ids


def test_pending_marks_cover_only_the_three_owners():
    marked = {p.id for p in _modules() if p.marks}
    assert marked and all(m.startswith(_PENDING) for m in marked)
    assert not any(m.startswith(("review/", "plotting/", "dataset/")) for m in marked)


@pytest.mark.parametrize("source, expected", [
    ("def f(x):\n    '''Summary.'''\n", ["f: no Parameters or Returns section"]),
    ("def f(x):\n    '''Summary.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    '''\n",
     ["f: no Returns section"]),
    ("class C:\n    pass\n", ["C: no docstring"]),
    ("def f(x):\n    return x\n", ["f: no docstring"]),
    ("def f(self):\n    '''Summary only: no arguments besides self.'''\n", []),
    ("def _private(x):\n    return x\n", []),
    ("def g(x):\n    '''Summary.\n\n    Parameters\n    ----------\n    x : int\n        X.\n\n"
     "    Yields\n    ------\n    int\n        X again.\n    '''\n", []),
])
def test_checker_flags_what_it_should(source, expected):
    assert docstring_faults(source) == expected
