"""evidence_lib.meta.effect_sizes against metafor's escalc (reference JSON, no R needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evidence_lib.meta import effect_sizes as es

REF = json.loads((Path(__file__).parents[1] / "reference" / "metafor_reference.json").read_text())
CASES = REF["cases"]
DATA = REF["datasets"]


def close(ours, ref, rtol=1e-6, atol=1e-9, what=""):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(ref, float), rtol=rtol, atol=atol,
                               err_msg=what)


def cases_of(kind):
    return sorted(n for n, c in CASES.items() if c["kind"] == kind)


# --------------------------------------------------------------------------- escalc
def _bcg_es(measure, **kw):
    d = DATA["bcg"]
    return es.escalc(measure, ai=d["tpos"], bi=d["tneg"], ci=d["cpos"], di=d["cneg"], **kw)


def _normand_es(measure):
    d = DATA["normand1999"]
    return es.escalc(measure, m1i=d["m1i"], sd1i=d["sd1i"], n1i=d["n1i"],
                     m2i=d["m2i"], sd2i=d["sd2i"], n2i=d["n2i"])


@pytest.mark.parametrize("name", cases_of("escalc"))
def test_escalc(name):
    c = CASES[name]
    measure = name.split("_")[-1]
    e = _bcg_es(measure) if c["input"]["dataset"] == "bcg" else _normand_es(measure)
    close(e.yi, c["values"]["yi"], what=name + " yi")
    close(e.vi, c["values"]["vi"], what=name + " vi")


@pytest.mark.parametrize("name", cases_of("escalc_zero"))
def test_escalc_zero_cells(name):
    c = CASES[name]
    inp = c["input"]
    measure = name.split("_")[2]
    e = es.escalc(measure, ai=inp["ai"], bi=inp["bi"], ci=inp["ci"], di=inp["di"],
                  add=inp["add"] or None, to=inp["to"])
    close(e.yi, c["values"]["yi"], what=name)
    close(e.vi, c["values"]["vi"], what=name)


def test_zero_cell_without_correction_raises():
    inp = CASES["escalc_zero_OR_only0"]["input"]
    with pytest.raises(ValueError, match=r"continuity correction is needed for study 0 \(zero cell in ai\).*add=0.5"):
        es.log_or(inp["ai"], inp["bi"], inp["ci"], inp["di"])
    with pytest.raises(ValueError, match="study 1 \\(zero cell in ci\\)"):
        es.log_rr([1, 5], [10, 10], [3, 0], [10, 10])
    # RD needs no correction
    es.rd(inp["ai"], inp["bi"], inp["ci"], inp["di"])


def test_from_ci_and_smd_to_points():
    e = es.from_ci([2.0], [1.0], [4.0], measure="RR")
    assert e.yi[0] == pytest.approx(np.log(2))
    se = (np.log(4) - np.log(1)) / (2 * 1.959963984540054)
    assert e.vi[0] == pytest.approx(se**2, rel=1e-12)
    e = es.from_ci([0.5], [0.1], [0.9], measure="MD")
    assert e.vi[0] == pytest.approx((0.8 / (2 * 1.959963984540054)) ** 2, rel=1e-12)
    np.testing.assert_allclose(es.smd_to_points([-0.5, -0.8], 2.0), [-1.0, -1.6])
    with pytest.raises(ValueError, match="ci_high must exceed ci_low"):
        es.from_ci([1.0], [2.0], [1.5], measure="MD")
    with pytest.raises(ValueError, match="reference_sd"):
        es.smd_to_points(0.5, 0)


def test_hedges_correction_exact():
    # c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2)); J(10) = 0.9227 (Hedges 1981 table)
    from math import gamma, sqrt

    for m in (3, 10, 50):
        assert es.hedges_correction(m) == pytest.approx(gamma(m / 2) / (sqrt(m / 2) * gamma((m - 1) / 2)), rel=1e-12)
    assert es.hedges_correction(10) == pytest.approx(0.9227, abs=1e-4)


def test_escalc_frame():
    pd = pytest.importorskip("pandas")
    d = DATA["bcg"]
    df = pd.DataFrame({k: d[k] for k in ("tpos", "tneg", "cpos", "cneg")})
    out = es.escalc_frame(df, "RR", ai="tpos", bi="tneg", ci="cpos", di="cneg")
    close(out["yi"].to_numpy(), CASES["escalc_bcg_RR"]["values"]["yi"])
    with pytest.raises(ValueError, match="not a column"):
        es.escalc_frame(df, "RR", ai="nope", bi="tneg", ci="cpos", di="cneg")


def test_effect_sizes_unpack_and_validation():
    yi, vi = es.md([1.0, 2.0], [1.0, 1.0], [10, 10], [0.5, 1.0], [1.0, 2.0], [12, 12])
    np.testing.assert_allclose(yi, [0.5, 1.0])
    np.testing.assert_allclose(vi, [1 / 10 + 1 / 12, 1 / 10 + 4 / 12])
    with pytest.raises(ValueError, match="sd1i has length 1 but the first argument has length 2"):
        es.smd([1.0, 2.0], [1.0], [10, 10], [0.5, 1.0], [1.0, 2.0], [12, 12])
    with pytest.raises(ValueError, match="n1i must be positive; study 1"):
        es.smd([1.0, 2.0], [1.0, 1.0], [10, 0], [0.5, 1.0], [1.0, 2.0], [12, 12])
    with pytest.raises(ValueError, match="non-finite value at study 0"):
        es.log_or([np.nan], [1], [1], [1])
    with pytest.raises(ValueError, match="unknown measure"):
        es.escalc("XX", ai=[1])
    e = es.escalc("RR", ai=[4], n1i=[123], ci=[11], n2i=[139])
    close(e.yi, CASES["escalc_bcg_RR"]["values"]["yi"][:1])
