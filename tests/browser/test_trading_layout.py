"""The order manager's layout in a real browser, measured by the boxes the page draws: a field
error under the ticket's quantity leaves the Type select beside it as tall as it was; a
position's Close button stays on the line of its quantity box at 1366 px (it wrapped under it);
a working order's Modify and Cancel share one line on a phone (each had a line of its own)."""

from __future__ import annotations

from browser_support import PHONE, DashboardServer
from playwright.sync_api import Locator, Page, expect
from trading_support import show_a_working_exit


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return dict(box)


def _on_one_line(first: Locator, second: Locator) -> bool:
    """Whether the two boxes overlap vertically (drawn side by side, not one under the other)."""
    one, two = _box(first), _box(second)
    return one["y"] < two["y"] + two["height"] and two["y"] < one["y"] + one["height"]


def test_an_error_under_quantity_leaves_the_type_select_as_it_was(
    page: Page, dashboard_server: DashboardServer
) -> None:
    show_a_working_exit(page, dashboard_server)
    ticket = page.locator("#order-ticket")
    select = ticket.locator("#ticket-type")
    assert _on_one_line(select, ticket.locator("#ticket-quantity"))  # they are neighbours
    height = _box(select)["height"]
    ticket.locator("#ticket-quantity").fill("two")
    ticket.locator("#ticket-submit").click()
    expect(ticket.locator("[data-field='quantity']")).not_to_be_empty()
    assert _box(select)["height"] == height


def test_a_positions_close_button_stays_beside_its_quantity(
    page: Page, dashboard_server: DashboardServer
) -> None:
    show_a_working_exit(page, dashboard_server)
    position = page.locator("#positions tr[data-symbol='SPY']")
    expect(position.locator(".close-position")).to_be_visible()
    assert _on_one_line(position.locator(".close-quantity"), position.locator(".close-position"))
    # a refusal goes under both, not between them
    position.locator(".close-quantity").fill("two")
    position.locator(".close-position").click()
    expect(position.locator(".error")).not_to_be_empty()
    assert _on_one_line(position.locator(".close-quantity"), position.locator(".close-position"))


def test_modify_and_cancel_share_a_line_on_a_phone(
    page: Page, dashboard_server: DashboardServer
) -> None:
    _, working = show_a_working_exit(page, dashboard_server)
    page.set_viewport_size(PHONE)
    order = page.locator(f"#open-orders tr[data-order-id='{working['order_id']}']")
    expect(order.locator(".cancel-order")).to_be_visible()
    assert _on_one_line(order.locator(".modify-order"), order.locator(".cancel-order"))
