"""A burst of concurrent orders on a portfolio that never ticked (each order reads the bars for
its reference price while its transaction holds a connection): every one is placed once, and
the burst waits for request threads instead of starving the connection pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from api_fixtures import Harness, api

from paperdesk.api.app import REQUEST_THREADS
from paperdesk.store.database import OVERFLOW, POOL_SIZE

__all__ = ["api"]
BURST = 24


def test_a_burst_of_orders_is_placed_once_each(api: Harness) -> None:
    assert 2 * REQUEST_THREADS <= POOL_SIZE + OVERFLOW  # what keeps the pool from starving
    portfolio_id = api.create_portfolio()

    def place(number: int) -> tuple[int, str]:
        body = {
            "symbol": "SPY",
            "side": "buy",
            "quantity": "1",
            "type": "limit",
            "limit_price": "100",
            "client_order_id": f"burst-{number}",
        }
        response = api.post(f"/portfolios/{portfolio_id}/orders", body)
        return response.status_code, response.text

    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(place, range(BURST)))

    assert [status for status, _ in answers] == [201] * BURST, answers
    orders = api.get(f"/portfolios/{portfolio_id}/orders", params={"limit": 100}).json()["items"]
    assert sorted(o["client_order_id"] for o in orders) == sorted(
        f"burst-{n}" for n in range(BURST)
    )
    assert len({o["order_id"] for o in orders}) == BURST
