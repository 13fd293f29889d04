"""The shape of the public API: data positional, options keyword-only, no catch-all ``**kwargs``.

A positional option (``pool(yi, vi, "DL")``) reads as data and silently changes meaning when
the signature grows; a catch-all ``**kwargs`` swallows a misspelt option. So:

* every public function exported by :mod:`evidence_lib.meta` (its ``__all__``) and by
  :mod:`evidence_lib.meta.effect_sizes` has no parameter with a default that can be passed
  positionally, and takes no ``**kwargs``;
* across the whole package (read with ``ast``), a public function or method takes
  ``**kwargs`` only where it is listed below with the reason it cannot swallow a misspelling.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import evidence_lib.meta as meta
from evidence_lib.meta import effect_sizes

PACKAGE = Path(__file__).resolve().parents[1] / "evidence_lib"

#: public callables that take ``**name``, and why a misspelt keyword still raises
VAR_KEYWORD_ALLOWED = {
    "meta/effect_sizes.py:escalc_frame": "keys must be escalc's data-argument names; others raise ValueError",
    "output/report.py:render": "jinja2 StrictUndefined: a variable the template needs but is not given raises",
}


def _public_functions(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj


FUNCTIONS = dict(_public_functions(meta))
FUNCTIONS.update((k, f) for k, f in _public_functions(effect_sizes) if k.rpartition(".")[2] != "escalc_frame")


def signature_faults(func) -> list[str]:
    """What in ``func``'s signature breaks the rule (empty when nothing does).

    Parameters
    ----------
    func : callable
        A function.

    Returns
    -------
    list of str
        One entry per positional parameter with a default and per ``**kwargs``.
    """
    faults = []
    for p in inspect.signature(func).parameters.values():
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY) and p.default is not p.empty:
            faults.append(f"option {p.name!r} can be passed positionally; put it after '*'")
        if p.kind is p.VAR_KEYWORD:
            faults.append(f"**{p.name} swallows misspelt arguments; name the parameters")
    return faults


def test_the_walk_finds_the_api():
    assert {"evidence_lib.meta.pool", "evidence_lib.meta.gosh", "evidence_lib.meta.regression",
            "evidence_lib.meta.effect_sizes.escalc", "evidence_lib.meta.effect_sizes.from_ci"} <= set(FUNCTIONS)
    assert len(FUNCTIONS) >= 20


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_options_are_keyword_only(name):
    faults = signature_faults(FUNCTIONS[name])
    assert not faults, f"{name}: " + "; ".join(faults)


def test_the_rule_catches_a_positional_option_and_kwargs():
    def bad(yi, vi, method="REML", **kw):
        return yi

    def good(yi, vi, *, method="REML"):
        return yi

    assert len(signature_faults(bad)) == 2
    assert signature_faults(good) == []


def _var_keyword_defs():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            members = [node]
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                members = [m for m in node.body if isinstance(m, ast.FunctionDef)]
            for fn in members:
                if isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_") and fn.args.kwarg:
                    found[f"{rel}:{fn.name}"] = fn.args.kwarg.arg
    return found


def test_no_public_function_swallows_keywords():
    found = _var_keyword_defs()
    unexpected = sorted(set(found) - set(VAR_KEYWORD_ALLOWED))
    assert not unexpected, "public functions taking **kwargs: " + ", ".join(unexpected)
    assert set(VAR_KEYWORD_ALLOWED) <= set(found), "an allowed entry no longer exists; remove it"


def test_a_positional_option_is_refused():
    with pytest.raises(TypeError):
        meta.pool([0.1, 0.3, 0.5], [0.01, 0.02, 0.03], "DL")


def test_escalc_refuses_a_misspelt_argument():
    with pytest.raises(TypeError, match="ad"):
        effect_sizes.escalc("OR", ai=[5], bi=[10], ci=[3], di=[12], ad=0.5)
    with pytest.raises(ValueError, match="not \\['ai'\\]"):
        effect_sizes.escalc("SMD", m1i=[1.0], sd1i=[1.0], n1i=[10], m2i=[0.5], sd2i=[1.0], n2i=[10], ai=[1])
    e = effect_sizes.escalc("OR", ai=[5], bi=[10], ci=[3], di=[12])
    np.testing.assert_allclose(e.yi, np.log(5 * 12 / (10 * 3)))


def test_escalc_frame_refuses_an_unknown_argument():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [5], "b": [10], "c": [3], "d": [12]})
    with pytest.raises(ValueError, match="unknown argument"):
        effect_sizes.escalc_frame(df, "OR", ai="a", bi="b", ci="c", dj="d")
