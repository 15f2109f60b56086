"""A portfolio's static report page (``paperdesk report ID --html FILE``) served live.

The page is the same one the CLI writes, built from the same service functions as the
performance, positions and fills endpoints. Its policy header allows only its own inline style
and script (by hash) and fetches of this origin: the page's refresh fetches this URL again
with the key the dashboard keeps in ``sessionStorage`` and swaps the content in place.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from paperdesk.api.dependencies import PortfolioId, Reader, ServicesDep, check_visible
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.service.report import portfolio_report
from paperdesk.service.report_html import content_security_policy, render_report

router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["performance"], route_class=QueryCheckedRoute
)
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "content": {"text/html": {"schema": {"type": "string"}}},
        "description": "the report as one HTML page",
    },
    **{status: {"model": ErrorOut} for status in (401, 403, 404, 422)},
}
PAGE_HEADERS = {
    "Cache-Control": "no-store",  # the figures change with every tick; a key was needed
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# ``response_class=Response`` (no media type) for the OpenAPI document only: the 200 is then the
# ``text/html`` of RESPONSES and the errors are documented as the JSON they are.
@router.get("/report.html", response_class=Response, responses=RESPONSES)
def report_page(portfolio_id: PortfolioId, container: ServicesDep, key: Reader) -> HTMLResponse:
    """The portfolio's report as one self-contained HTML page: KPI cards, open positions,
    the last fills, closed trades and the equity curve with drawdown (docs/report.md)."""
    check_visible(container, key, portfolio_id)
    page = render_report(portfolio_report(container.portfolios, portfolio_id))
    headers = {**PAGE_HEADERS, "Content-Security-Policy": content_security_policy(header=True)}
    return HTMLResponse(page, headers=headers)
