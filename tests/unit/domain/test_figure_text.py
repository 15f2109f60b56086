"""How a statistic is printed (``domain.money.figure_text``): the CLI's tables, the portfolio
report and the result reports round it half-up on its shortest decimal text to two places and
group the thousands, one rule (the dashboard follows it too: tests/browser/test_performance.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.cli.money import percent as cli_percent
from paperdesk.cli.money import ratio as cli_ratio
from paperdesk.domain.money import figure_text
from paperdesk.service.report_html import percent as report_percent
from paperdesk.service.report_html import ratio as report_ratio
from paperdesk.service.result_charts import percent_shown
from paperdesk.service.result_html import ratio_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.005, "1.01"),  # the binary value is below 1.005: f"{1.005:.2f}" says 1.00
        (0.125, "0.13"),  # an exact tie: f"{0.125:.2f}" rounds it to even, 0.12
        (-0.001, "0.00"),  # never -0.00
        (1234.5, "1,234.50"),
        (Decimal("2.675"), "2.68"),  # a decimal text (the result reports' figures) alike
    ],
)
def test_every_surface_prints_a_statistic_with_one_rule(value: float | Decimal, text: str) -> None:
    assert figure_text(value) == text
    assert cli_percent(float(value)) == f"{text}%"  # the CLI's tables
    assert cli_ratio(float(value)) == text
    assert report_percent(float(value)) == f"{text}%"  # the portfolio report
    assert report_ratio(float(value)) == text
    assert percent_shown(str(value)) == f"{text}%"  # the result reports
    assert ratio_text(str(value)) == text
