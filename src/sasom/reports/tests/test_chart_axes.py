"""A chart's value axis stays readable for any currency: a rial shop's sales reach hundreds of
millions, which written out in full ran into each other under the bars."""

from __future__ import annotations

import re

import pytest

from sasom.reports.charts import axis_number, lines, top_bars


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (0.5, "0.5"), (12.5, "12.5"), (1600, "1,600"), (99_999, "99,999"), (120_000, "120K"),
    (1_234_567, "1.23M"), (130_000_000, "130M"), (2.5e9, "2.5B"), (-3_000_000, "-3M"),
])
def test_axis_numbers_are_short(value, text):
    assert axis_number(value) == text


def labels(svg: str) -> list[str]:
    return re.findall(r">(-?[0-9][0-9.,]*[KMB]?)</text>", svg)


def test_a_rial_shops_branch_bars_read_in_millions_and_points_stay_whole():
    # given branches that sold 130 and 100 million rial, and a points trend up to 1,600
    bars = top_bars("Top branches", [("T2", 130_000_000.0), ("T1", 100_000_000.0)]).svg
    trend = lines("Points", ["a", "b"], [("given", [100, 1600])]).svg
    # then the bars' axis reads 0 ... 130M, the points' axis in whole thousands
    assert "130M" in labels(bars) and not any(len(x) > 6 for x in labels(bars))
    assert "1,600" in labels(trend)
