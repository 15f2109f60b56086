"""Every time in the API's answers has one ISO-8601 UTC form, ``...Z`` (``api.times``): the
fields pydantic writes, the times the API formats itself, and the documents it passes on from
the service (audit details, settings, quality gaps), whose times the service writes as
``+00:00`` for the CLI. (Documents that must equal the CLI's or a file's, the performance
statistics and a walk-forward's evidence, keep the service's form: their parity tests.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from api_fixtures import Harness, api

from paperdesk.api.times import utc_document, utc_text

__all__ = ["api"]

# a whole JSON text that is a time at +00:00 (a sentence quoting one is prose, not a time)
PLUS_ZERO_TIME = re.compile(r'"\d{4}-\d{2}-\d{2}T[0-9:.]*\+00:00"')


def test_a_time_is_written_in_utc_with_z() -> None:
    new_york = timezone(timedelta(hours=-4))
    assert utc_text(datetime(2021, 3, 31, 16, 0, tzinfo=new_york)) == "2021-03-31T20:00:00Z"
    assert utc_text(datetime(2021, 3, 31, 20, 0, 0, 250)) == "2021-03-31T20:00:00.000250Z"


def test_a_document_has_its_times_in_the_apis_form_and_the_rest_as_it_was() -> None:
    document = {
        "start": "2021-01-04T21:00:00+00:00",
        "at": datetime(2021, 1, 4, tzinfo=UTC),
        "rows": [{"end": "2021-01-06T21:00:00.5+00:00"}, ("2021-01-06", 3)],
        "reason": "bar 2021-01-04T00:00:00+00:00 was late",
        "elsewhere": "2021-01-04T21:00:00+01:00",
    }
    assert utc_document(document) == {
        "start": "2021-01-04T21:00:00Z",
        "at": "2021-01-04T00:00:00Z",
        "rows": [{"end": "2021-01-06T21:00:00.5Z"}, ["2021-01-06", 3]],
        "reason": "bar 2021-01-04T00:00:00+00:00 was late",
        "elsewhere": "2021-01-04T21:00:00+01:00",
    }


def test_answers_write_every_time_with_z(api: Harness) -> None:
    settings = {"source": "replay", "replay_from": "2021-01-04"}
    portfolio = api.create_portfolio(settings=settings)
    for _ in range(3):
        assert api.post(f"/portfolios/{portfolio}/ticks", {}).status_code == 200
    placed = api.post(
        f"/portfolios/{portfolio}/orders", {"symbol": "SPY", "side": "buy", "quantity": "1"}
    )
    assert placed.status_code == 201, placed.text
    for path in (
        f"/portfolios/{portfolio}",
        f"/portfolios/{portfolio}/audit",
        f"/portfolios/{portfolio}/orders",
        "/market-data/SPY/quality?start=2021-01-01&end=2021-03-31",
        "/prices/SPY/ohlc?limit=3",
    ):
        response = api.get(path)
        assert response.status_code == 200, (path, response.text)
        assert PLUS_ZERO_TIME.findall(response.text) == [], path
        assert re.search(r'"\d{4}-\d{2}-\d{2}T[0-9:.]*Z"', response.text), path
