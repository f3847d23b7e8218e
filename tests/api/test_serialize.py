"""The one serialiser's rounding policy (issue 14): what is written is the same on every CPU."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from marketpower.api.serialize import SIGNIFICANT_DIGITS, dumps, jsonable, rounded


def _neighbours(x: float, steps: int = 4) -> list[float]:
    """x and the doubles up to ``steps`` ulps either side: what another CPU's summation order could give."""
    out = [x]
    down = up = x
    for _ in range(steps):
        down, up = math.nextafter(down, -math.inf), math.nextafter(up, math.inf)
        out += [down, up]
    return out


@pytest.mark.parametrize("value", [3_800.0, 0.3, 1_200.0, 5_000.0, 0.05, 2.5e-7, 123_456.789])
def test_a_few_ulps_never_show(value: float) -> None:
    # the Xeon of issue 14 wrote 3799.9999999999995 where an EPYC wrote 3800.0
    texts = {dumps({"hhi": v}) for v in _neighbours(value)}
    assert texts == {dumps({"hhi": value})}
    assert json.loads(dumps({"hhi": math.nextafter(value, 0.0)}))["hhi"] == pytest.approx(value, rel=1e-15)


def test_the_xeon_figure_is_written_3800() -> None:
    assert dumps([3799.9999999999995]) == dumps([3800.0]) == "[\n  3800.0\n]"


def test_precision_kept_and_special_values() -> None:
    assert SIGNIFICANT_DIGITS == 14
    assert rounded(1 / 3) == pytest.approx(1 / 3, rel=5e-14)  # 14 significant digits: relative error <= 5e-14
    assert rounded(1 / 3) != 1 / 3  # but the last digits are cut
    assert rounded(987_654_321_098.12) == pytest.approx(987_654_321_098.12, rel=1e-15)  # cents kept up to 10^12
    assert math.copysign(1.0, rounded(-0.0)) == 1.0  # −0.0 written as 0.0
    assert rounded(-1e-30) == pytest.approx(-1e-30, rel=1e-15)  # significant digits, not decimals
    values = [float("nan"), float("inf"), np.float64(0.1) + np.float64(0.2), 7, True]
    assert jsonable(values) == [None, None, 0.3, 7, True]


def test_frames_and_arrays_are_rounded_too() -> None:
    frame = pd.DataFrame({"hhi_low": [3799.9999999999995], "n": [3]})
    assert jsonable(frame) == [{"hhi_low": 3800.0, "n": 3}]
    assert jsonable(np.array([0.1 + 0.2])) == [0.3]
