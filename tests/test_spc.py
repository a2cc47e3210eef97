"""Tests for qa_analytics.stats.spc, pinned to outside references.

Sources of the expected numbers (each assertion names its own):

* Montgomery, D. C., *Introduction to Statistical Quality Control*
  ("ISQC"; example numbers as in the 6th ed.; textbook values are printed
  to 2-4 decimals, so they are compared at that precision).
* R package qcc (Scrucca 2004): its data files data/pistonrings.txt,
  data/orangejuice.txt, data/circuit.txt, data/pcmanufact.txt,
  data/dyedcloth.txt (reproduced below) and the printed qcc() summaries.
* Laney, D. B. (2002), Improved control charts for attributes, Quality
  Engineering 14(4).
* Where no published number exists the expected value is computed by hand
  in a comment next to the assertion.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_analytics.stats.spc import (
    CHARTS,
    NELSON_RULES,
    RULE_SETS,
    WESTERN_ELECTRIC_RULES,
    Rule,
    c4,
    control_chart,
    d2,
    dispersion_test,
    explain_signals,
    is_overdispersed,
    overdispersion_ratio,
    recommend_chart,
)

# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------
# qcc data/pistonrings.txt (Montgomery ISQC piston-ring inside diameters):
# 40 subgroups of 5; the first 25 are the trial (phase I) samples.
PISTONRINGS = [
    [74.030, 74.002, 74.019, 73.992, 74.008],
    [73.995, 73.992, 74.001, 74.011, 74.004],
    [73.988, 74.024, 74.021, 74.005, 74.002],
    [74.002, 73.996, 73.993, 74.015, 74.009],
    [73.992, 74.007, 74.015, 73.989, 74.014],
    [74.009, 73.994, 73.997, 73.985, 73.993],
    [73.995, 74.006, 73.994, 74.000, 74.005],
    [73.985, 74.003, 73.993, 74.015, 73.988],
    [74.008, 73.995, 74.009, 74.005, 74.004],
    [73.998, 74.000, 73.990, 74.007, 73.995],
    [73.994, 73.998, 73.994, 73.995, 73.990],
    [74.004, 74.000, 74.007, 74.000, 73.996],
    [73.983, 74.002, 73.998, 73.997, 74.012],
    [74.006, 73.967, 73.994, 74.000, 73.984],
    [74.012, 74.014, 73.998, 73.999, 74.007],
    [74.000, 73.984, 74.005, 73.998, 73.996],
    [73.994, 74.012, 73.986, 74.005, 74.007],
    [74.006, 74.010, 74.018, 74.003, 74.000],
    [73.984, 74.002, 74.003, 74.005, 73.997],
    [74.000, 74.010, 74.013, 74.020, 74.003],
    [73.988, 74.001, 74.009, 74.005, 73.996],
    [74.004, 73.999, 73.990, 74.006, 74.009],
    [74.010, 73.989, 73.990, 74.009, 74.014],
    [74.015, 74.008, 73.993, 74.000, 74.010],
    [73.982, 73.984, 73.995, 74.017, 74.013],
    # phase II (trial = FALSE)
    [74.012, 74.015, 74.030, 73.986, 74.000],
    [73.995, 74.010, 73.990, 74.015, 74.001],
    [73.987, 73.999, 73.985, 74.000, 73.990],
    [74.008, 74.010, 74.003, 73.991, 74.006],
    [74.003, 74.000, 74.001, 73.986, 73.997],
    [73.994, 74.003, 74.015, 74.020, 74.004],
    [74.008, 74.002, 74.018, 73.995, 74.005],
    [74.001, 74.004, 73.990, 73.996, 73.998],
    [74.015, 74.000, 74.016, 74.025, 74.000],
    [74.030, 74.005, 74.000, 74.016, 74.012],
    [74.001, 73.990, 73.995, 74.010, 74.024],
    [74.015, 74.020, 74.024, 74.005, 74.019],
    [74.035, 74.010, 74.012, 74.015, 74.026],
    [74.017, 74.013, 74.036, 74.025, 74.026],
    [74.010, 74.005, 74.029, 74.000, 74.020],
]
PISTON_TRIAL = PISTONRINGS[:25]

# qcc data/orangejuice.txt (Montgomery ISQC Example 7.1, frozen orange juice
# cans): nonconforming cans per sample of n = 50; samples 1-30 trial.
ORANGEJUICE = [
    12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11,
    20, 18, 24, 15, 9, 12, 7, 13, 9, 6,
    # phase II (trial = FALSE)
    9, 6, 12, 5, 6, 4, 6, 3, 7, 6, 2, 4, 3, 6, 5, 4, 8, 5, 6, 7, 5, 6, 3, 5,
]

# qcc data/circuit.txt (Montgomery ISQC c-chart example, printed circuit boards):
# nonconformities per inspection unit of 100 boards, 26 trial samples.
CIRCUIT = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10,
           17, 13, 22, 18, 39, 30, 24, 16, 19, 17, 15]

# qcc data/pcmanufact.txt (Montgomery ISQC, personal computers, 20 samples of
# 5 computers; 2nd ed. pp. 181-182): nonconformities per sample.
PCMANUFACT = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5]

# qcc data/dyedcloth.txt: defects and size (in units of 50 m^2) of 10 rolls.
DYEDCLOTH_X = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
DYEDCLOTH_N = [10, 8, 13, 10, 9.5, 10, 12, 10.5, 12, 12.5]

# Montgomery ISQC (ch. 6, individuals chart example): viscosity of aircraft
# primer paint, 15 batches.
PRIMER_VISCOSITY = [33.75, 33.05, 34.00, 33.81, 33.46, 34.02, 33.68, 33.27,
                    33.49, 33.20, 33.62, 33.00, 33.54, 33.12, 33.84]


def flagged(df: pd.DataFrame, rule: int) -> list[int]:
    """Positions whose signals contain ``rule``."""
    return [i for i, s in enumerate(df["signals"]) if rule in s]


def detect(rule: Rule, x, center: float = 0.0, sigma: float = 1.0) -> dict[int, int]:
    """Run a rule's detector on a series with constant centre and sigma."""
    x = np.asarray(x, dtype=float)
    c = np.full(x.size, center)
    s = np.full(x.size, sigma)
    out = rule.detect(x, c, s, c - 3 * s, c + 3 * s)
    return {int(i): int(out[i]) for i in np.flatnonzero(out)}


# ---------------------------------------------------------------------------
# Constants d2, c4
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "expected"),
    # Montgomery ISQC Appendix VI (factors for control charts), 3 decimals
    [(2, 1.128), (3, 1.693), (4, 2.059), (5, 2.326), (10, 3.078), (25, 3.931)],
)
def test_d2_matches_montgomery_table(n: int, expected: float) -> None:
    assert d2(n) == pytest.approx(expected, abs=5e-4)


def test_d2_exact_values() -> None:
    # Closed form: the mean range of 2 N(0,1) is E|X1 - X2| = 2/sqrt(pi)
    assert d2(2) == pytest.approx(2 / math.sqrt(math.pi), rel=1e-10)
    # Harter (1960) tables of the expected range, 5 decimals: d2(5) = 2.32593
    assert d2(5) == pytest.approx(2.32593, abs=1e-5)
    # d2 grows with n (the expected range widens)
    values = [d2(n) for n in range(2, 60)]
    assert all(a < b for a, b in zip(values, values[1:]))


@pytest.mark.parametrize(
    ("n", "expected"),
    # Montgomery ISQC Appendix VI, 4 decimals
    [(5, 0.9400), (10, 0.9727), (25, 0.9896)],
)
def test_c4_matches_montgomery_table(n: int, expected: float) -> None:
    assert c4(n) == pytest.approx(expected, abs=5e-5)


def test_c4_closed_forms() -> None:
    # c4(2) = sqrt(2) Gamma(1) / Gamma(1/2) = sqrt(2/pi)
    assert c4(2) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-12)
    # c4(3) = Gamma(3/2) / Gamma(1) = sqrt(pi)/2
    assert c4(3) == pytest.approx(math.sqrt(math.pi) / 2, rel=1e-12)
    # large n does not overflow and tends to 1 (c4 ~ 1 - 1/(4n))
    assert c4(1000) == pytest.approx(1 - 1 / 4000, abs=1e-6)


@pytest.mark.parametrize("bad", [1, 0, -3, 2.5, True])
def test_constants_reject_bad_n(bad) -> None:
    with pytest.raises(ValueError, match="n >= 2"):
        d2(bad)
    with pytest.raises(ValueError, match="n >= 2"):
        c4(bad)


# ---------------------------------------------------------------------------
# Variables charts
# ---------------------------------------------------------------------------
def test_xbar_r_pistonrings_matches_qcc() -> None:
    df = control_chart(PISTON_TRIAL, "xbar_r")
    # qcc: qcc(pistonrings[trial], type = "xbar")  ->  Center = 74.00118,
    # StdDev = 0.009785039 (qcc's d2(5) = 2.326), LCL = 73.98805, UCL = 74.01431.
    # By hand: Rbar = 0.02276, sigma = 0.02276 / 2.325929 = 0.0097853,
    # 3 sigma / sqrt(5) = 0.0131280 -> limits 73.988048 / 74.014304.
    assert df["center"].iloc[0] == pytest.approx(74.00118, abs=1e-5)
    assert df["lcl"].iloc[0] == pytest.approx(73.98805, abs=1e-5)
    assert df["ucl"].iloc[0] == pytest.approx(74.01431, abs=1e-5)
    assert df.attrs["sigma_hat"] == pytest.approx(0.009785039, rel=1e-4)
    assert (df["n"] == 5).all()
    # Montgomery / qcc: the trial samples show no point beyond the limits
    assert flagged(df, 1) == []
    # xbar limits are never clipped and are constant for equal n
    assert df["lcl"].nunique() == 1 and df["ucl"].nunique() == 1


def test_xbar_r_pistonrings_phase_two() -> None:
    df = control_chart(PISTONRINGS, "xbar_r", baseline=25)
    # qcc(pistonrings[trial], newdata = pistonrings[!trial]): limits from the
    # 25 trial samples only.
    assert df["center"].iloc[-1] == pytest.approx(74.00118, abs=1e-5)
    assert df["ucl"].iloc[-1] == pytest.approx(74.01431, abs=1e-5)
    assert df["in_baseline"].tolist() == [True] * 25 + [False] * 15
    # Subgroup means by hand: #37 = 370.083/5 = 74.0166, #38 = 370.098/5 = 74.0196,
    # #39 = 370.117/5 = 74.0234 > UCL 74.0143; #40 = 74.0128 and #35 = 74.0126
    # are inside.
    assert flagged(df, 1) == [36, 37, 38]
    assert df["value"].iloc[36] == pytest.approx(74.0166, abs=1e-9)


def test_xbar_s_pistonrings_matches_montgomery() -> None:
    df = control_chart(PISTON_TRIAL, "xbar_s")
    # Montgomery ISQC, x-bar and s charts for the piston-ring data (ch. 6):
    # UCL = 74.001 + 1.427(0.0094) = 74.014, LCL = 73.988 (3 decimals).
    assert df["ucl"].iloc[0] == pytest.approx(74.014, abs=6e-4)
    assert df["lcl"].iloc[0] == pytest.approx(73.988, abs=6e-4)
    # By hand on the qcc data: sbar = 0.00924004, c4(5) = 0.939986,
    # sigma = 0.00982998 (qcc: std.dev = "UWAVE-SD"), 3 sigma/sqrt(5) = 0.0131883
    assert df.attrs["sigma_hat"] == pytest.approx(0.00982998, rel=1e-5)
    assert df["ucl"].iloc[0] == pytest.approx(74.001176 + 0.0131883, abs=1e-6)


def test_xbar_varying_subgroup_sizes() -> None:
    groups = [[1, 2, 3], [2, 4], [3, 5, 7, 9]]
    # By hand: means 2, 3, 6; center = (3*2 + 2*3 + 4*6) / 9 = 36/9 = 4
    # (qcc: sum(n_i xbar_i) / sum(n_i)).
    # s chart: S = 1, sqrt(2), sqrt(20/3); S/c4: 1/(sqrt(pi)/2) = 1.1283792,
    # sqrt(2)/sqrt(2/pi) = sqrt(pi) = 1.7724539, sqrt(10 pi)/2 = 2.8024956;
    # unweighted mean (qcc "UWAVE-SD") sigma = 1.9011095.
    df = control_chart(groups, "xbar_s")
    assert df["value"].tolist() == pytest.approx([2, 3, 6])
    assert df["center"].tolist() == pytest.approx([4, 4, 4])
    assert df.attrs["sigma_hat"] == pytest.approx(1.9011095, rel=1e-7)
    sigma = 1.9011095420666644
    assert df["ucl"].tolist() == pytest.approx([4 + 3 * sigma / math.sqrt(n) for n in (3, 2, 4)])
    assert df["lcl"].tolist() == pytest.approx([4 - 3 * sigma / math.sqrt(n) for n in (3, 2, 4)])
    assert df["sigma"].tolist() == pytest.approx([sigma / math.sqrt(n) for n in (3, 2, 4)])
    # R chart: ranges 2, 2, 6; d2(3) = 1.6925688, d2(2) = 1.1283792,
    # d2(4) = 2.0587507 -> sigma = (1.1816368 + 1.7724539 + 2.9143877)/3 = 1.9561595
    df_r = control_chart(groups, "xbar_r")
    assert df_r.attrs["sigma_hat"] == pytest.approx(1.9561595, rel=1e-7)
    assert df_r["n"].tolist() == [3, 2, 4]


def test_xbar_accepts_nan_padded_array_and_singletons() -> None:
    padded = np.array([[1, 2, 3, np.nan], [2, 4, np.nan, np.nan], [3, 5, 7, 9]])
    ref = control_chart([[1, 2, 3], [2, 4], [3, 5, 7, 9]], "xbar_s")
    got = control_chart(padded, "xbar_s")
    pd.testing.assert_frame_equal(got, ref)
    # A subgroup of one observation is plotted (limits +/- 3 sigma / 1) but
    # does not enter the sigma estimate: sigma stays 1.9011095 (see above),
    # the centre becomes (36 + 10) / 10 = 4.6.
    df = control_chart([[1, 2, 3], [2, 4], [3, 5, 7, 9], [10]], "xbar_s")
    assert df.attrs["sigma_hat"] == pytest.approx(1.9011095, rel=1e-7)
    assert df["center"].iloc[0] == pytest.approx(4.6)
    assert df["ucl"].iloc[3] == pytest.approx(4.6 + 3 * 1.9011095, rel=1e-7)


def test_xmr_primer_viscosity_matches_montgomery() -> None:
    df = control_chart(PRIMER_VISCOSITY, "xmr")
    # Montgomery ISQC, primer-paint example: xbar = 33.52, MRbar = 0.48,
    # UCL = 33.52 + 3(0.48/1.128) = 34.80, LCL = 32.24.
    # By hand (exact d2(2) = 1.1283792): mean 33.523333, MRbar 0.4807143,
    # sigma 0.4260220, UCL 34.801399, LCL 32.245267.
    assert df["center"].iloc[0] == pytest.approx(33.52, abs=5e-3)
    assert df["ucl"].iloc[0] == pytest.approx(34.80, abs=5e-3)
    assert df["lcl"].iloc[0] == pytest.approx(32.24, abs=6e-3)
    assert df.attrs["sigma_hat"] * d2(2) == pytest.approx(0.4807143, rel=1e-6)
    assert df["ucl"].iloc[0] == pytest.approx(34.801399, abs=1e-5)
    # Montgomery: the process is in control (no point beyond the limits)
    assert flagged(df, 1) == []
    assert (df["n"] == 1).all()


def test_xmr_keeps_series_index() -> None:
    idx = pd.date_range("2024-01-01", periods=5, freq="W-MON")
    df = control_chart(pd.Series([1.0, 2.0, 1.5, 2.5, 2.0], index=idx), "xmr")
    assert df.index.equals(idx)
    assert list(df.columns[:5]) == ["value", "center", "lcl", "ucl", "signals"]


# ---------------------------------------------------------------------------
# Attributes charts
# ---------------------------------------------------------------------------
def test_p_chart_orangejuice_matches_qcc() -> None:
    df = control_chart(ORANGEJUICE[:30], "p", sizes=[50] * 30)
    # qcc(D[trial], sizes = size[trial], type = "p"): Center = 0.2313333,
    # LCL = 0.05242755, UCL = 0.4102391 (Montgomery Example 7.1: pbar = 0.2313,
    # UCL = 0.4102, LCL = 0.0524). By hand: 347/1500; sqrt(.2313*.7687/50) = 0.0596353.
    assert df["center"].iloc[0] == pytest.approx(0.2313333, abs=1e-7)
    assert df["ucl"].iloc[0] == pytest.approx(0.4102391, abs=1e-7)
    assert df["lcl"].iloc[0] == pytest.approx(0.05242755, abs=1e-8)
    # value is the proportion d/n
    assert df["value"].iloc[0] == pytest.approx(12 / 50)
    # Montgomery Example 7.1: samples 15 and 23 plot above the UCL
    assert flagged(df, 1) == [14, 22]


def test_np_chart_orangejuice() -> None:
    df = control_chart(ORANGEJUICE[:30], "np", sizes=[50] * 30)
    # By hand: n pbar = 50 * 347/1500 = 11.566667;
    # sqrt(n pbar (1 - pbar)) = sqrt(8.890911) = 2.9817631;
    # UCL = 20.511956, LCL = 2.621377
    assert df["center"].iloc[0] == pytest.approx(11.566667, abs=1e-6)
    assert df["ucl"].iloc[0] == pytest.approx(20.511956, abs=1e-6)
    assert df["lcl"].iloc[0] == pytest.approx(2.621377, abs=1e-6)
    assert df["value"].iloc[0] == 12
    # same points as the p chart (it is the p chart scaled by n)
    assert flagged(df, 1) == [14, 22]


def test_p_chart_orangejuice_phase_two_baseline() -> None:
    df = control_chart(ORANGEJUICE, "p", sizes=[50] * 54, baseline=30)
    # qcc(D[trial], sizes=size[trial], type="p", newdata=D[!trial], newsizes=...):
    # the trial limits are applied to all 54 samples.
    assert df["center"].tolist() == pytest.approx([0.2313333] * 54, abs=1e-7)
    assert df["ucl"].iloc[-1] == pytest.approx(0.4102391, abs=1e-7)
    assert df["in_baseline"].sum() == 30
    # By hand: samples 34-54 (5, 6, 4, ... of 50, all < 0.2313) form a run of
    # 21 points below the centre; sample 33 (12/50 = 0.24) is above it. Nelson
    # rule 2 fires at the 9th point of the run (sample 42) and keeps firing to 54.
    assert flagged(df, 2) == list(range(41, 54))
    # the trial-phase signals are unchanged (samples 15 and 23), and sample 41
    # (2/50 = 0.04 < LCL 0.0524) is below the lower limit
    assert flagged(df, 1) == [14, 22, 40]
    assert explain_signals(df)[-1].startswith("Point 54: ")


def test_p_chart_varying_sizes() -> None:
    counts, sizes = [10, 40, 50], [100, 400, 500]
    df = control_chart(counts, "p", sizes=sizes)
    # By hand: pbar = 100/1000 = 0.1; sigma_i = sqrt(0.09 / n_i) =
    # 0.03, 0.015, 0.0134164 -> limits [0.01, 0.19], [0.055, 0.145],
    # [0.0597508, 0.1402492]
    assert df["center"].tolist() == pytest.approx([0.1] * 3)
    assert df["lcl"].tolist() == pytest.approx([0.01, 0.055, 0.0597508], abs=1e-7)
    assert df["ucl"].tolist() == pytest.approx([0.19, 0.145, 0.1402492], abs=1e-7)
    assert df["sigma"].tolist() == pytest.approx([0.03, 0.015, 0.0134164], abs=1e-7)
    assert df["n"].tolist() == sizes


def test_p_chart_clips_limits_to_zero_and_one() -> None:
    # pbar = 2/20 = 0.1, n = 10: 0.1 -/+ 3 sqrt(0.009) = -0.1846 / 0.3846 -> LCL 0
    df = control_chart([1, 1], "p", sizes=[10, 10])
    assert df["lcl"].tolist() == [0.0, 0.0]
    assert df["sigma"].iloc[0] == pytest.approx(math.sqrt(0.009))  # unclipped sigma
    # pbar = 18/20 = 0.9: UCL 0.9 + 0.2846 capped at 1
    df = control_chart([9, 9], "p", sizes=[10, 10])
    assert df["ucl"].tolist() == [1.0, 1.0]
    # np chart, same data: 9 + 3 sqrt(10 * 0.9 * 0.1) = 11.846 capped at n = 10
    df = control_chart([9, 9], "np", sizes=[10, 10])
    assert df["ucl"].tolist() == [10.0, 10.0]
    assert df["lcl"].iloc[0] == pytest.approx(9 - 3 * math.sqrt(0.9))


def test_c_chart_circuit_matches_qcc() -> None:
    df = control_chart(CIRCUIT, "c")
    # qcc(circuit$x[trial], sizes = circuit$size[trial], type = "c"):
    # Center = 19.84615, LCL = 6.481447, UCL = 33.21086
    # By hand: cbar = 516/26 = 19.846154, 3 sqrt(cbar) = 13.364707.
    assert df["center"].iloc[0] == pytest.approx(19.84615, abs=1e-5)
    assert df["ucl"].iloc[0] == pytest.approx(33.21086, abs=1e-5)
    assert df["lcl"].iloc[0] == pytest.approx(6.481447, abs=1e-6)
    # qcc ?circuit: "Sample 6 and 20 are outside the control limits"
    assert flagged(df, 1) == [5, 19]
    # constant sizes are accepted and reported
    df100 = control_chart(CIRCUIT, "c", sizes=[100] * 26)
    assert df100["ucl"].iloc[0] == pytest.approx(33.21086, abs=1e-5)
    assert (df100["n"] == 100).all()


def test_c_chart_lower_limit_clipped() -> None:
    # By hand: cbar = 4, 4 - 3*2 = -2 -> LCL 0; UCL = 4 + 6 = 10
    df = control_chart([4, 4, 4, 4], "c")
    assert df["lcl"].tolist() == [0.0] * 4
    assert df["ucl"].tolist() == [10.0] * 4
    assert df["sigma"].tolist() == [2.0] * 4


def test_u_chart_pcmanufact_matches_montgomery() -> None:
    df = control_chart(PCMANUFACT, "u", sizes=[5] * 20)
    # Montgomery ISQC (personal computers, qcc `pcmanufact`): ubar = 193/100 = 1.93,
    # UCL = 1.93 + 3 sqrt(1.93/5) = 3.79, LCL = 0.07.
    # By hand: 3 sqrt(0.386) = 1.863867 -> UCL 3.793867, LCL 0.066133.
    assert df["center"].iloc[0] == pytest.approx(1.93)
    assert df["ucl"].iloc[0] == pytest.approx(3.793867, abs=1e-6)
    assert df["lcl"].iloc[0] == pytest.approx(0.066133, abs=1e-6)
    assert df["value"].iloc[0] == pytest.approx(10 / 5)
    assert flagged(df, 1) == []


def test_u_chart_dyedcloth_varying_sizes() -> None:
    df = control_chart(DYEDCLOTH_X, "u", sizes=DYEDCLOTH_N)
    # By hand (qcc `dyedcloth` data): ubar = 153 / 107.5 = 1.4232558;
    # roll 1 (n=10): 1.4232558 +/- 3 sqrt(0.14232558) = 1.4232558 +/- 1.1317819
    #   -> [0.2914739, 2.5550377]
    # roll 2 (n=8):  +/- 3 sqrt(0.17790698) = 1.2653706 -> [0.1578852, 2.6886264]
    # roll 3 (n=13): +/- 3 sqrt(0.10948122) = 0.9926384 -> [0.4306174, 2.4158942]
    assert df["center"].iloc[0] == pytest.approx(1.4232558, abs=1e-7)
    assert df["lcl"].iloc[:3].tolist() == pytest.approx([0.2914739, 0.1578852, 0.4306174], abs=1e-7)
    assert df["ucl"].iloc[:3].tolist() == pytest.approx([2.5550377, 2.6886264, 2.4158942], abs=1e-7)
    assert df["value"].iloc[4] == pytest.approx(7 / 9.5)


# ---------------------------------------------------------------------------
# Laney p' and u'
# ---------------------------------------------------------------------------
# Over-dispersed: n = 10000 per period, pbar = 10000/100000 = 0.1 exactly.
OVER_COUNTS = [1000, 1040, 1100, 1060, 980, 900, 960, 1000, 1020, 940]
OVER_SIZES = [10000] * 10
# Binomial-looking: n = 100, sum = 150 over 15 periods -> pbar = 0.1 exactly.
PLAIN_COUNTS = [10, 13, 8, 11, 9, 7, 12, 10, 14, 9, 8, 11, 10, 6, 12]
PLAIN_SIZES = [100] * 15


def test_laney_p_prime_overdispersed() -> None:
    p = control_chart(OVER_COUNTS, "p", sizes=OVER_SIZES)
    pp = control_chart(OVER_COUNTS, "p_prime", sizes=OVER_SIZES)
    # By hand: sigma_p = sqrt(0.09/10000) = 0.003 -> p limits [0.091, 0.109];
    # periods 3 (0.110) and 6 (0.090) fall outside them.
    assert p["ucl"].iloc[0] == pytest.approx(0.109)
    assert flagged(p, 1) == [2, 5]
    # Laney (2002): z_i = (p_i - pbar)/sigma_p, sigma_z = MRbar(z)/1.128.
    # With equal n, MR(z) = |diff(counts)| / 30 = 40,60,40,80,80,60,40,20,80 / 30,
    # mean 500/9/30 = 1.851852 -> sigma_z = 1.851852 / 1.1283792 = 1.641161.
    assert pp.attrs["sigma_hat"] == pytest.approx(1.641161, abs=1e-6)
    assert overdispersion_ratio(OVER_COUNTS, OVER_SIZES) == pytest.approx(1.641161, abs=1e-6)
    # p' limits: 0.1 +/- 3 * 1.641161 * 0.003 = [0.0852295, 0.1147705], wider than p
    assert pp["ucl"].iloc[0] == pytest.approx(0.1147705, abs=1e-7)
    assert pp["lcl"].iloc[0] == pytest.approx(0.0852295, abs=1e-7)
    assert (pp["ucl"] > p["ucl"]).all() and (pp["lcl"] < p["lcl"]).all()
    assert flagged(pp, 1) == []
    # Pearson X^2 = sum (d - 1000)^2 / 900 = 31200/900 = 34.67 on 9 df, p = 6.8e-5
    test = dispersion_test(OVER_COUNTS, OVER_SIZES)
    assert test["chi2"].iloc[0] == pytest.approx(34.666667, abs=1e-6)
    assert test["dof"].iloc[0] == 9
    assert test["pval"].iloc[0] == pytest.approx(6.8211e-5, rel=1e-3)
    assert is_overdispersed(OVER_COUNTS, OVER_SIZES)
    assert is_overdispersed(OVER_COUNTS, OVER_SIZES, method="ratio", threshold=1.5)
    assert recommend_chart("rate", 10000, overdispersed=True) == "p_prime"


def test_laney_p_prime_not_overdispersed_is_close_to_p() -> None:
    p = control_chart(PLAIN_COUNTS, "p", sizes=PLAIN_SIZES)
    pp = control_chart(PLAIN_COUNTS, "p_prime", sizes=PLAIN_SIZES)
    # By hand: |diff(counts)| = 3,5,3,2,2,5,2,4,5,1,3,1,4,6 (sum 46);
    # sigma_p (counts) = sqrt(100 * 0.1 * 0.9) = 3;
    # sigma_z = (46/14)/3/1.1283792 = 0.970629 -> p' limits within 3% of p.
    assert pp.attrs["sigma_hat"] == pytest.approx(0.970629, abs=1e-6)
    half_p = p["ucl"] - p["center"]
    half_pp = pp["ucl"] - pp["center"]
    assert np.allclose(half_pp / half_p, 0.970629, atol=1e-6)
    # X^2 = sum (d - 10)^2 / 9 = 70/9 = 7.78 on 14 df, p = 0.90
    assert dispersion_test(PLAIN_COUNTS, PLAIN_SIZES)["pval"].iloc[0] == pytest.approx(0.9006, abs=1e-3)
    assert not is_overdispersed(PLAIN_COUNTS, PLAIN_SIZES)
    assert not is_overdispersed(PLAIN_COUNTS, PLAIN_SIZES, method="ratio")


def test_laney_u_prime_by_hand() -> None:
    counts, sizes = [5, 15, 5, 15, 5, 15], [1] * 6
    df = control_chart(counts, "u_prime", sizes=sizes)
    # By hand: ubar = 10, sigma_u = sqrt(10); z = -/+ 1.5811388, MR(z) = sqrt(10)
    # sigma_z = sqrt(10) / (2/sqrt(pi)) = sqrt(10 pi)/2 = 2.8024956;
    # limits 10 +/- 3 * sqrt(10) * sqrt(10 pi)/2 = 10 +/- 15 sqrt(pi)
    #      = 10 +/- 26.586808 -> [0 (clipped), 36.586808]
    assert df.attrs["sigma_hat"] == pytest.approx(2.8024956, abs=1e-7)
    assert df["ucl"].iloc[0] == pytest.approx(36.586808, abs=1e-6)
    assert df["lcl"].iloc[0] == 0.0
    assert overdispersion_ratio(counts, sizes, kind="u") == pytest.approx(2.8024956, abs=1e-7)
    # Pearson X^2 = 6 * 25/10 = 15 on 5 df
    assert dispersion_test(counts, sizes, kind="u")["chi2"].iloc[0] == pytest.approx(15.0)


def test_laney_degenerate_all_zero() -> None:
    # pbar = 0: sigma_z undefined; p' falls back to the p chart, nothing flagged
    assert math.isnan(overdispersion_ratio([0, 0, 0], [10, 10, 10]))
    assert not is_overdispersed([0, 0, 0], [10, 10, 10])
    df = control_chart([0, 0, 0], "p_prime", sizes=[10, 10, 10])
    assert df["ucl"].tolist() == [0.0] * 3
    assert all(s == [] for s in df["signals"])


# ---------------------------------------------------------------------------
# Run rules, one by one (centre 0, sigma 1, limits -/+3 unless noted)
# ---------------------------------------------------------------------------
N = {r.number: r for r in NELSON_RULES}
W = {r.number: r for r in WESTERN_ELECTRIC_RULES}


def test_rule_1_beyond_limits_is_strict() -> None:
    # 3 and -3 sit exactly on the limits: not signals
    assert detect(N[1], [0, 3, 3.5, -3, -3.5, 0]) == {2: 1, 4: -1}


def test_rule_2_nine_on_one_side() -> None:
    x = [1] * 8 + [0] + [1] * 9 + [-1] * 10
    # 8 above then a point ON the centre (breaks the run); 9 above at 9..17
    # -> flagged at 17; 10 below at 18..27 -> flagged at 26 and still at 27.
    assert detect(N[2], x) == {17: 1, 26: -1, 27: -1}


def test_rule_3_six_trending() -> None:
    x = [0, 1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1, 0]
    # 0..6 increasing: the 6th point (index 5) completes it, index 6 continues;
    # the tie 6, 6 breaks; 6..0 decreasing from index 7: flagged at 12 and 13.
    assert detect(N[3], x) == {5: 1, 6: 1, 12: -1, 13: -1}
    # five increasing points (four rises) are not enough
    assert detect(N[3], [0, 1, 2, 3, 4, 0]) == {}


def test_rule_4_fourteen_alternating() -> None:
    zigzag = [0, 1] * 8  # 16 points
    assert detect(N[4], zigzag[:13]) == {}
    assert detect(N[4], zigzag[:14]) == {13: 1}
    assert detect(N[4], zigzag) == {13: 1, 14: 1, 15: 1}
    # a tie breaks the alternation
    assert detect(N[4], zigzag[:7] + [zigzag[6]] + zigzag[7:14]) == {}


def test_rule_5_two_of_three_beyond_2sigma() -> None:
    x = [0, 2.5, 0, 2.5, 0, 0, 2.5, 0, 0, 2.5, -2.5, -2.5, 2, 2.5]
    # index 3: 2.5, 0, 2.5 -> 2 of 3 above; index 11: 2.5, -2.5, -2.5 -> 2 of 3
    # below; index 13: -2.5, 2 (exactly 2 sigma, not beyond), 2.5 -> only 1.
    assert detect(N[5], x) == {3: 1, 11: -1}
    # the flagged point itself must be beyond 2 sigma; at the start the window
    # is what is available (the first two points both beyond -> point 2 flags)
    assert detect(N[5], [2.5, 2.5, 0]) == {1: 1}
    # beyond 3 sigma also counts as beyond 2 sigma
    assert detect(N[5], [0, 3.5, 2.1]) == {2: 1}


def test_rule_6_four_of_five_beyond_1sigma() -> None:
    x = [0, 1.5, 1.5, 0, 1.5, 1.5, 1, 1.5, 0, 0]
    # index 5: 1.5,1.5,0,1.5,1.5 -> 4 of 5; index 6 is exactly 1 sigma (not
    # beyond, not flagged); index 7: window 0,1.5,1.5,1,1.5 -> only 3.
    assert detect(N[6], x) == {5: 1}
    assert detect(N[6], [-1.5, -1.5, -1.5, 0.5, -1.5]) == {4: -1}


def test_rule_7_fifteen_within_1sigma() -> None:
    x = [0.5, -0.5] * 7 + [1.0] + [0.5] * 16
    # 14 inside, then exactly 1 sigma (not strictly inside: breaks), then
    # 16 inside at 15..30 -> flagged at 29 (15th) and 30.
    assert detect(N[7], x) == {29: 1, 30: 1}


def test_rule_8_eight_beyond_1sigma_either_side() -> None:
    assert detect(N[8], [1.5, -1.5] * 4) == {7: 1}
    assert detect(N[8], [2.0] * 9) == {7: 1, 8: 1}  # either side, incl. one side
    # a point exactly at -1 sigma is not beyond: the run restarts
    assert detect(N[8], [1.5] * 4 + [-1.0] + [1.5] * 7) == {}


def test_western_electric_rules() -> None:
    assert [r.number for r in WESTERN_ELECTRIC_RULES] == [1, 2, 3, 4]
    assert detect(W[1], [0, 3.5]) == {1: 1}
    assert detect(W[2], [0, 2.5, 0, 2.5]) == {3: 1}  # = Nelson 5
    assert detect(W[3], [0, 1.5, 1.5, 0, 1.5, 1.5]) == {5: 1}  # = Nelson 6
    assert detect(W[4], [1] * 7) == {}
    assert detect(W[4], [-1] * 9) == {7: -1, 8: -1}


def test_rules_through_control_chart_use_rule_set_numbers() -> None:
    # c chart, baseline = 2 points of 4: cbar = 4, sigma = 2, LCL 0 (clipped),
    # UCL 10; 1-sigma zone (2, 6), 2-sigma zone (0, 8).
    values = [4, 4] + [5] * 9
    nel = control_chart(values, "c", baseline=2)
    we = control_chart(values, "c", baseline=2, rules="western_electric")
    # 9 points above the centre at 2..10: Nelson 2 at index 10;
    # Western Electric 4 (8 in a row) at indices 9 and 10.
    assert nel["signals"].tolist() == [[]] * 10 + [[2]]
    assert we["signals"].tolist() == [[]] * 9 + [[4], [4]]
    none = control_chart(values, "c", baseline=2, rules=None)
    assert none["signals"].tolist() == [[]] * 11


def test_rules_strictness_at_limits_through_control_chart() -> None:
    # cbar = 4, UCL 10: a count of exactly 10 is not beyond; 11 is. At index 3
    # (11) the last three points are 4, 10, 11 -> two beyond 2 sigma (8): rule 5.
    df = control_chart([4, 4, 10, 11], "c", baseline=2)
    assert df["signals"].tolist() == [[], [], [], [1, 5]]


def test_runs_cross_the_baseline_boundary() -> None:
    # Baseline of 10: cbar = 43/10 = 4.3. Points 5..9 (phase I) and 10..13
    # (phase II) are all 5 > 4.3: the run of 9 completes at index 13.
    values = [2, 6, 2, 6, 2, 5, 5, 5, 5, 5, 5, 5, 5, 5]
    df = control_chart(values, "c", baseline=10)
    assert df["center"].iloc[-1] == pytest.approx(4.3)
    assert flagged(df, 2) == [13]


def test_varying_sigma_used_per_point() -> None:
    # u chart with baseline 2: ubar = (100 + 140) / (100 + 100) = 1.2.
    # The same rate 1.4 is beyond 1 sigma where n = 100
    # (sigma = sqrt(1.2/100) = 0.1095445, 1.2 + 0.1095 < 1.4) but within
    # 1 sigma where n = 5 (sigma = sqrt(1.2/5) = 0.4898979).
    counts = [100, 140, 140, 140, 140, 7]
    sizes = [100, 100, 100, 100, 100, 5]
    df = control_chart(counts, "u", sizes=sizes, baseline=2)
    assert df["sigma"].iloc[0] == pytest.approx(0.1095445, abs=1e-7)
    assert df["sigma"].iloc[5] == pytest.approx(0.4898979, abs=1e-7)
    assert df["value"].iloc[5] == pytest.approx(1.4)
    # indices 1..4 beyond +1 sigma -> rule 6 (4 of 5) at index 4; index 5 is
    # not beyond its own 1-sigma line, so the rule does not continue there.
    assert flagged(df, 6) == [4]


# ---------------------------------------------------------------------------
# explain_signals and rule data
# ---------------------------------------------------------------------------
def _nine_below_at_point_12(index=None) -> pd.DataFrame:
    # c chart, baseline of three 10s: cbar = 10, sigma = 3.162. Points 4..12
    # (indices 3..11) alternate 8, 9 below the centre and inside 1 sigma.
    values = [10, 10, 10, 8, 9, 8, 9, 8, 9, 8, 9, 8]
    data = values if index is None else pd.Series(values, index=index)
    return control_chart(data, "c", baseline=3)


def test_explain_signals_english_and_chinese() -> None:
    df = _nine_below_at_point_12()
    assert explain_signals(df) == ["Point 12: 9 points in a row below the center line"]
    assert explain_signals(df, lang="zh-CN") == ["第12点：连续9点落在中心线下方"]


def test_explain_signals_directions_and_labels() -> None:
    idx = pd.date_range("2024-01-01", periods=12, freq="D")
    df = _nine_below_at_point_12(idx)
    assert explain_signals(df) == ["Point 12 (2024-01-12): 9 points in a row below the center line"]
    trend = control_chart([4, 4, 1, 2, 3, 4, 5, 6], "c", baseline=2)
    assert "Point 8: 6 points in a row increasing" in explain_signals(trend)
    assert "第8点：连续6点递增" in explain_signals(trend, lang="zh")
    beyond = control_chart([4, 4, 11], "c", baseline=2)
    assert explain_signals(beyond) == ["Point 3: above the upper control limit (beyond 3σ)"]
    # the Western Electric rule set is read from df.attrs
    we = control_chart([4, 4] + [5] * 8, "c", baseline=2, rules="western_electric")
    assert explain_signals(we) == ["Point 10: 8 points in a row above the center line"]


def test_explain_signals_without_zone_columns_uses_general_wording() -> None:
    df = _nine_below_at_point_12()[["value", "center", "lcl", "ucl", "signals"]]
    assert explain_signals(df) == ["Point 12: 9 points in a row on one side of the center line"]
    with pytest.raises(ValueError, match="language"):
        explain_signals(df, lang="fr")


def test_rule_objects_carry_words() -> None:
    assert [r.number for r in NELSON_RULES] == list(range(1, 9))
    assert set(RULE_SETS) == {"nelson", "western_electric"}
    r2 = NELSON_RULES[1]
    assert r2.rule_set == "nelson"
    assert r2.description_en == "9 points in a row on one side of the center line"
    assert r2.description_zh == "连续9点落在中心线同一侧"
    assert WESTERN_ELECTRIC_RULES[3].description_zh == "连续8点落在中心线同一侧"
    for rule in NELSON_RULES + WESTERN_ELECTRIC_RULES:
        assert rule.description_en and rule.description_zh
        assert callable(rule.detect)


# ---------------------------------------------------------------------------
# recommend_chart
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("rate",), "p"),
        (("rate", 50, True), "p_prime"),
        (("count",), "c"),
        (("count", [10, 10, 10]), "c"),
        (("count", [10, 12, 9]), "u"),
        (("count", [10, 12, 9], True), "u_prime"),
        (("mean", 8), "xbar_s"),
        (("mean", [1, 3, 5]), "xbar_s"),
        (("mean", 1), "xmr"),
        (("mean",), "xmr"),
    ],
)
def test_recommend_chart(args, expected) -> None:
    assert recommend_chart(*args) == expected
    assert expected in CHARTS


def test_recommend_chart_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        recommend_chart("colour")


# ---------------------------------------------------------------------------
# Invalid input
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": [1, 2, 3], "chart": "zchart"}, "unknown chart"),
        ({"values": [1, 2, 3], "chart": "p"}, "needs sizes"),
        ({"values": [1, 2, 3], "chart": "np"}, "needs sizes"),
        ({"values": [1, 2, 3], "chart": "u"}, "needs sizes"),
        ({"values": [1, 2, 3], "chart": "p_prime"}, "needs sizes"),
        ({"values": [1, 2, 3], "chart": "p", "sizes": [10, 10]}, "same length"),
        ({"values": [1, 2, 3], "chart": "xmr", "baseline": 1}, "at least 2"),
        ({"values": [1, 2, 3], "chart": "xmr", "baseline": 0}, "at least 2"),
        ({"values": [1, 2, 3], "chart": "xmr", "baseline": 4}, "larger than"),
        ({"values": [1, 2, 3], "chart": "xmr", "baseline": 2.5}, "integer"),
        ({"values": [], "chart": "xmr"}, "empty"),
        ({"values": [], "chart": "xbar_s"}, "empty"),
        ({"values": [1.0], "chart": "xmr"}, "at least 2 points"),
        ({"values": [1, 2, 3], "chart": "xbar_r"}, "sequence of subgroups"),
        ({"values": [[1, 2], []], "chart": "xbar_s"}, "empty"),
        ({"values": [[1], [2]], "chart": "xbar_r"}, "2 or more observations"),
        ({"values": [[1, 2], [3, 4]], "chart": "xmr"}, "1-dimensional"),
        ({"values": [0.2, 0.3], "chart": "p", "sizes": [50, 50]}, "not proportions"),
        ({"values": [60, 3], "chart": "p", "sizes": [50, 50]}, "exceeds"),
        ({"values": [-1, 3], "chart": "c"}, "non-negative"),
        ({"values": [1, 3], "chart": "u", "sizes": [0, 5]}, "positive"),
        ({"values": [1, 3], "chart": "c", "sizes": [5, 6]}, "use chart='u'"),
        ({"values": [1, float("nan")], "chart": "xmr"}, "NaN"),
        ({"values": [1, 2, 3], "chart": "xmr", "sizes": [1, 1, 1]}, "not used"),
        ({"values": [1, 2, 3], "chart": "xmr", "rules": "shewhart"}, "unknown rule set"),
    ],
)
def test_invalid_input_raises_value_error(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        control_chart(**kwargs)


def test_overdispersion_input_errors() -> None:
    with pytest.raises(ValueError, match="kind"):
        overdispersion_ratio([1, 2], [10, 10], kind="c")
    with pytest.raises(ValueError, match="same length"):
        dispersion_test([1, 2, 3], [10, 10])
    with pytest.raises(ValueError, match="method"):
        is_overdispersed([1, 2], [10, 10], method="vibes")


def test_chart_names_are_normalised() -> None:
    a = control_chart([3, 4, 5], "P'", sizes=[10, 10, 10])
    b = control_chart([3, 4, 5], "p_prime", sizes=[10, 10, 10])
    pd.testing.assert_frame_equal(a, b, check_like=False)
    assert control_chart([1.0, 2.0], "XmR").attrs["chart"] == "xmr"


def test_module_does_not_import_scipy_or_streamlit_eagerly() -> None:
    path = Path(__file__).resolve().parents[1] / "qa_analytics" / "stats" / "spc.py"
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('spc_probe', {str(path)!r})\n"
        "mod = importlib.util.module_from_spec(spec); sys.modules['spc_probe'] = mod\n"
        "spec.loader.exec_module(mod)\n"
        "mod.control_chart([1.0, 2.0, 3.0], 'xmr')\n"
        "mod.control_chart([3, 4, 5], 'p_prime', sizes=[10, 10, 10])\n"
        "mod.control_chart([[1.0, 2.0, 4.0], [2.0, 3.0]], 'xbar_r')\n"
        "assert 'scipy' not in sys.modules, 'scipy imported'\n"
        "assert 'streamlit' not in sys.modules, 'streamlit imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------
# multiples of 0.001 in [-1000, 1000]: no subnormals, so scaling by 2**k is exact
finite = st.integers(-10**6, 10**6).map(lambda i: i / 1000)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(x=st.lists(finite, min_size=2, max_size=60), k=st.integers(-6, 6))
def test_xmr_scales_with_power_of_two(x, k) -> None:
    # Scaling by 2**k is exact in floating point: limits scale exactly and
    # every signal stays the same (Montgomery: the chart is location/scale
    # equivariant).
    a = control_chart(x, "xmr")
    b = control_chart([v * 2.0**k for v in x], "xmr")
    for col in ("value", "center", "lcl", "ucl", "sigma"):
        np.testing.assert_allclose(b[col], a[col] * 2.0**k, rtol=1e-12, atol=0)
    assert b["signals"].tolist() == a["signals"].tolist()


@PROPS
@given(x=st.lists(finite, min_size=2, max_size=60), a=st.floats(0.01, 100), shift=finite)
def test_xmr_limits_scale_and_shift(x, a, shift) -> None:
    base = control_chart(x, "xmr")
    moved = control_chart([a * v + shift for v in x], "xmr")
    tol = 1e-9 * (1 + abs(shift) + a * 1e3)
    np.testing.assert_allclose(moved["center"], a * base["center"] + shift, atol=tol)
    np.testing.assert_allclose(moved["ucl"] - moved["center"], a * (base["ucl"] - base["center"]), atol=tol)


@st.composite
def attribute_data(draw, chart: str):
    m = draw(st.integers(2, 40))
    sizes = draw(st.lists(st.integers(1, 500), min_size=m, max_size=m))
    if chart in ("p", "np", "p_prime"):
        counts = [draw(st.integers(0, n)) for n in sizes]
    else:
        counts = draw(st.lists(st.integers(0, 300), min_size=m, max_size=m))
    return counts, sizes


@PROPS
@given(data=st.data(), chart=st.sampled_from(["p", "np", "u", "p_prime", "u_prime"]))
def test_attribute_limits_are_ordered(data, chart) -> None:
    counts, sizes = data.draw(attribute_data(chart))
    df = control_chart(counts, chart, sizes=sizes)
    assert (df["lcl"] <= df["center"] + 1e-12).all()
    assert (df["center"] <= df["ucl"] + 1e-12).all()
    assert (df["lcl"] >= 0).all()
    if chart in ("p", "p_prime"):
        assert (df["ucl"] <= 1).all()
    assert all(isinstance(s, list) and all(isinstance(r, int) for r in s) for s in df["signals"])


@PROPS
@given(
    groups=st.lists(st.lists(finite, min_size=1, max_size=8), min_size=1, max_size=25).filter(
        lambda g: any(len(s) >= 2 for s in g)
    ),
    chart=st.sampled_from(["xbar_r", "xbar_s"]),
)
def test_xbar_limits_are_ordered_and_centered(groups, chart) -> None:
    df = control_chart(groups, chart)
    assert (df["lcl"] <= df["center"]).all() and (df["center"] <= df["ucl"]).all()
    # centre = grand mean of all observations (qcc: weighted mean of subgroup means)
    flat = [v for g in groups for v in g]
    assert df["center"].iloc[0] == pytest.approx(np.mean(flat), abs=1e-9)


@PROPS
@given(counts=st.lists(st.integers(0, 50), min_size=2, max_size=40), n=st.integers(50, 400))
def test_p_prime_with_equal_sizes_is_an_individuals_chart(counts, n) -> None:
    # Laney (2002): with equal subgroup sizes p' reduces to an XmR chart of the
    # proportions (sigma_z * sigma_p = MRbar(p) / d2(2)).
    pp = control_chart(counts, "p_prime", sizes=[n] * len(counts))
    if math.isnan(pp.attrs["sigma_hat"]):  # pbar = 0: no variation at all
        return
    xmr = control_chart([c / n for c in counts], "xmr")
    np.testing.assert_allclose(pp["center"], xmr["center"], rtol=1e-12)
    np.testing.assert_allclose(pp["sigma"], xmr["sigma"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(pp["ucl"], np.minimum(xmr["ucl"], 1.0), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(pp["lcl"], np.maximum(xmr["lcl"], 0.0), rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------------------
# R and S charts (issue 10): the chart beneath an x-bar chart, stand-alone too
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n, d3_table, D3, D4, B3, B4", [
    # Montgomery, Introduction to Statistical Quality Control, Appendix VI (3-4 decimals)
    (2, 0.853, 0.0, 3.267, 0.0, 3.267),
    (5, 0.864, 0.0, 2.114, 0.0, 2.089),
    (10, 0.797, 0.223, 1.777, 0.284, 1.716),
    (25, 0.708, 0.459, 1.541, 0.565, 1.435),
])
def test_r_and_s_limits_match_the_table_factors(n, d3_table, D3, D4, B3, B4):
    from qa_analytics.stats.spc import c4, d2, d3

    assert d3(n) == pytest.approx(d3_table, abs=6e-4)
    rng = np.random.default_rng(n)
    groups = [rng.normal(50, 4, n) for _ in range(30)]
    r = control_chart(groups, "r", rules=None)
    rbar = np.mean([np.ptp(g) for g in groups])
    assert r["center"].iloc[0] == pytest.approx(rbar, rel=1e-12)
    assert r["ucl"].iloc[0] == pytest.approx(rbar * (1 + 3 * d3(n) / d2(n)), rel=1e-12)
    assert r["ucl"].iloc[0] / rbar == pytest.approx(D4, abs=2e-3)
    assert r["lcl"].iloc[0] / rbar == pytest.approx(D3, abs=2e-3)
    s = control_chart(groups, "s", rules=None)
    sbar = np.mean([np.std(g, ddof=1) for g in groups])
    assert s["center"].iloc[0] == pytest.approx(sbar, rel=1e-12)
    assert s["ucl"].iloc[0] / sbar == pytest.approx(B4, abs=2e-3)
    assert s["lcl"].iloc[0] / sbar == pytest.approx(B3, abs=2e-3)
    assert s["ucl"].iloc[0] == pytest.approx(sbar * (1 + 3 * np.sqrt(1 - c4(n) ** 2) / c4(n)), rel=1e-12)


def test_r_chart_flags_a_subgroup_that_spreads():
    rng = np.random.default_rng(1)
    groups = [rng.normal(80, 2, 5) for _ in range(20)]
    groups[15] = np.array([70.0, 90.0, 80.0, 75.0, 85.0])  # range 20 against ~4.7
    r = control_chart(groups, "r", rules="nelson", baseline=12)
    assert 1 in r["signals"].iloc[15]
    assert r.attrs["chart"] == "r" and control_chart(groups, "range").attrs["chart"] == "r"
    # varying sizes: a subgroup of one has no spread, and limits widen for small subgroups
    mixed = control_chart([[1.0, 2.0, 3.0], [2.0], [1.0, 4.0], [2.0, 2.5, 3.0, 1.0]], "s", rules=None)
    assert np.isnan(mixed["value"].iloc[1]) and np.isnan(mixed["ucl"].iloc[1])
    assert mixed["ucl"].iloc[2] > mixed["ucl"].iloc[3]
    with pytest.raises(ValueError):
        control_chart([[1.0], [2.0]], "s")
