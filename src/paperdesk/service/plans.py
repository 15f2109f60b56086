"""Trade plans through the service layer (issue 13): read a plan against what the ledger knows,
filter it by an execution mode, place it into a paper portfolio as bracket orders, and
reconcile the portfolio (mark it to market into its equity ledger).

Executing a plan is ONE transaction for all its rows: a refused row (a bad value, or an order
the portfolio's checks refuse) leaves nothing placed, so a plan is never half in the book unless
the trader asked to skip bad rows (then each skipped row is reported and the rest placed).
Every row's entry carries a client order id made of the plan date and the row
(``plan-YYYYMMDD-rN``); the portfolio is locked while the plan is placed, and a row whose id
was used before is reported as already placed, so running a plan twice, or twice at once,
places each row once.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.domain import InvalidInputError, Order, OrderType, limits
from paperdesk.domain.errors import OrderError
from paperdesk.domain.records import EquityView
from paperdesk.plans.modes import FilteredPlan, RowDecision, filter_plan
from paperdesk.plans.problems import PlanError, PlanProblem, refused_as
from paperdesk.plans.reader import DataSpan, EntryWindow, PlanReading
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.settings import (
    EntryType,
    ExecutionMode,
    FitRule,
    PlanSettings,
    parse_mode,
)
from paperdesk.service.order_requests import OrderRequest
from paperdesk.service.plan_holds import ClosedHold, PlanHold, close_expired_holds, record_holds
from paperdesk.service.plan_sources import PlanSource, PlanText, read_plan_source

if TYPE_CHECKING:
    from paperdesk.data.manager import DataManager
    from paperdesk.service.order_desk import OrderDesk
    from paperdesk.service.portfolios import PortfolioService

__all__ = [  # the plan types the interfaces use come from here (they import no plans module)
    "EntryType",
    "ExecutionMode",
    "FitRule",
    "PlanError",
    "PlanExecution",
    "PlanFilterResult",
    "PlanService",
    "PlanSettings",
    "PlanSource",
    "PlanText",
    "Reconciliation",
    "RowDecision",
    "parse_mode",
]

FILTERED_FILE = "trade_plan_filtered.csv"
AUDIT_FILE = "audit.json"
PLAN_COLUMNS = (
    "ticker",
    "side",
    "qty",
    "entry_price",
    "take_profit",
    "stop_loss",
    "prob_win",
    "strength",
    "etth_days",
    "entry_datetime",
    "max_hold_days",
    "source_row",
)


@dataclass(frozen=True, slots=True)
class PlanFilterResult:
    reading: PlanReading
    filtered: FilteredPlan

    def audit(self) -> dict[str, object]:
        return {
            "plan": self.reading.source,
            "skipped_rows": [problem.as_dict() for problem in self.reading.skipped],
            "ignored_columns": list(self.reading.ignored_columns),
            **self.filtered.audit(),
        }


@dataclass(frozen=True, slots=True)
class PlacedRow:
    """What became of one plan row in a portfolio: ``status`` is ``placed``, ``already
    placed`` (its client order id was used before), ``not kept`` (the filter dropped it) or
    ``skipped`` (refused, with ``skip_bad_rows``)."""

    row: int
    ticker: str
    side: str
    qty: Decimal
    client_order_id: str
    status: str
    order_ids: tuple[str, ...] = ()
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "ticker": self.ticker,
            "side": self.side,
            "qty": str(self.qty),
            "client_order_id": self.client_order_id,
            "status": self.status,
            "order_ids": list(self.order_ids),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class PlanExecution:
    portfolio_id: int
    plan_date: date
    filtered: FilteredPlan
    rows: tuple[PlacedRow, ...]
    skipped: tuple[PlanProblem, ...] = ()
    orders: tuple[Order, ...] = field(default=())

    @property
    def placed(self) -> int:
        return sum(1 for row in self.rows if row.status == "placed")

    def as_dict(self) -> dict[str, object]:
        return {
            "portfolio_id": self.portfolio_id,
            "plan_date": self.plan_date.isoformat(),
            "placed": self.placed,
            "rows": [row.as_dict() for row in self.rows],
            "skipped": [problem.as_dict() for problem in self.skipped],
            "audit": self.filtered.audit(),
        }


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """A portfolio marked to market: the equity point appended to its ledger and each
    position's mark; first, the plan rows whose holding time ran out were closed (``closed``,
    ``paperdesk.service.plan_holds``)."""

    portfolio_id: int
    point: EquityView
    marks: Mapping[str, Decimal]
    quantities: Mapping[str, Decimal]
    closed: tuple[ClosedHold, ...] = ()


NEXT_TRADING_DAY = timedelta(days=4)  # Friday's plan for Tuesday after a Monday holiday


def execution_window(now: datetime) -> EntryWindow:
    """The entries a portfolio at ``now`` takes: from the start of its current day (UTC) to
    four days after it, the next trading day over a weekend and a holiday. An older entry is
    stale (its price is history); a later one is not the next day's plan."""
    start = datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)
    end = datetime.combine(start.date() + NEXT_TRADING_DAY, time.max, tzinfo=UTC)
    # the end is four calendar days on, whatever the calendar: not itself a trading day
    return EntryWindow(
        start, end, "the portfolio's current day and the four days after it (UTC dates)"
    )


def client_order_id(plan_date: date, row: int) -> str:
    """The entry's client order id of ``row`` of the plan of ``plan_date``."""
    return f"plan-{plan_date:%Y%m%d}-r{row}"


class PlanService:
    """Trade plans on the ledger: read, filter, execute, reconcile."""

    def __init__(
        self, portfolios: PortfolioService, data: DataManager | Callable[[], DataManager]
    ) -> None:
        self._portfolios = portfolios
        self._data = data

    def _manager(self) -> DataManager:
        data = self._data
        return data() if callable(data) else data

    # ---------------------------------------------------------------------------- reading

    def known_tickers(self, symbols: Sequence[str] = ()) -> dict[str, DataSpan | None]:
        """Every symbol with bars (stored or bundled) and the span they cover: from the first
        bar's start to the last bar's end; ``symbols`` limits it to those."""
        from paperdesk.domain import Timeframe

        spans: dict[str, DataSpan] = {}
        for series in self._manager().symbols():
            if symbols and series.symbol not in symbols:
                continue
            parsed = Timeframe.parse(series.timeframe)
            length = parsed.delta if parsed.is_intraday else max(parsed.delta, timedelta(days=1))
            first, last = _utc(series.first), _utc(series.last) + length
            known = spans.get(series.symbol)
            if known is not None:
                first, last = min(first, known.first), max(last, known.last)
            spans[series.symbol] = DataSpan(first, last)
        return dict(spans)

    def read(
        self,
        path: PlanSource,
        *,
        skip_bad_rows: bool = False,
        symbols: Sequence[str] = (),
        as_of: datetime | None = None,
    ) -> PlanReading:
        """Read the plan at ``path`` (or given as ``PlanText``), its tickers checked against
        the ledger's bars."""
        return read_plan_source(
            path,
            skip_bad_rows=skip_bad_rows,
            known_tickers=self.known_tickers(symbols),
            as_of=as_of,
        )

    def filter(
        self,
        path: PlanSource,
        *,
        mode: ExecutionMode | None,
        capital: Decimal,
        settings: PlanSettings | None = None,
        skip_bad_rows: bool = False,
    ) -> PlanFilterResult:
        """Read and filter a plan on ``capital`` (no portfolio involved)."""
        with refused_as("nothing filtered"):
            reading = self.read(path, skip_bad_rows=skip_bad_rows)
        steps = _quantity_steps(reading.rows)
        filtered = filter_plan(reading.rows, mode, capital, settings, quantity_steps=steps)
        return PlanFilterResult(reading, filtered)

    def write_filter_outputs(
        self, result: PlanFilterResult, out: str | Path, *, force: bool = False
    ) -> tuple[Path, Path]:
        """Write ``trade_plan_filtered.csv`` and ``audit.json`` into ``out`` (created when
        missing); an existing file there is replaced only with ``force``. Each file is written
        to a temporary name and renamed, so a reader never sees half a file."""
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise InvalidInputError(f"--out {folder} is a file, not a folder")
        targets = (folder / FILTERED_FILE, folder / AUDIT_FILE)
        existing = [str(path) for path in targets if path.exists() or path.is_symlink()]
        if existing and not force:
            raise InvalidInputError(
                f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}: "
                "pass --force to replace"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(targets[0], plan_csv(result.filtered.rows))
            _write_atomically(targets[1], json.dumps(result.audit(), indent=2) + "\n")
        except OSError as error:
            raise InvalidInputError(f"cannot write into --out {folder}: {error}") from None
        return targets

    # --------------------------------------------------------------------------- executing

    def execute(
        self,
        portfolio_id: int,
        path: PlanSource,
        *,
        mode: ExecutionMode | None = None,
        settings: PlanSettings | None = None,
        plan_date: date | None = None,
        skip_bad_rows: bool = False,
    ) -> PlanExecution:
        """Place the plan at ``path`` into portfolio ``portfolio_id`` (module docstring).

        The plan date (in the client order ids) is ``plan_date``, else the UTC date of the
        earliest ``entry_datetime`` in the plan, else the portfolio's current date. Capital
        is the portfolio's equity; its positions and working entries count toward the cap.
        """
        settings = settings or PlanSettings()
        traded = self._portfolios.settings(portfolio_id).symbols
        # the symbols it trades (their bars were checked when it was created), without spans:
        # a live portfolio's data ends now, and a plan is for what comes next
        known: dict[str, DataSpan | None] = dict.fromkeys(traded or self.known_tickers())
        with (
            refused_as("nothing placed"),
            self._portfolios.order_desk(portfolio_id, traded) as desk,
        ):
            reading = read_plan_source(
                path,
                skip_bad_rows=skip_bad_rows,
                known_tickers=known,
                entry_window=execution_window(desk.at),
                tickers_known_as=f"a symbol portfolio {portfolio_id} trades",
            )
            day = plan_date or _plan_date(reading.rows) or desk.at.date()
            return _place(desk, reading, mode, settings, day, skip_bad_rows)

    def reconcile(self, portfolio_id: int) -> Reconciliation:
        """Close the plan rows held past their time (``plan_holds``: one transaction, the
        portfolio locked; the closing orders fill at the next price), then mark the portfolio
        to market at its latest prices and append the point to its equity ledger (the
        worker's mark-to-market, one transaction)."""
        from paperdesk.data.calendars import session_close

        traded = self._portfolios.settings(portfolio_id).symbols
        with self._portfolios.order_desk(portfolio_id, traded) as desk:
            kernel = desk.state.kernel
            held = {*traded, *kernel.positions(), *(o.symbol for o in kernel.open_orders())}
            closed = close_expired_holds(desk, sorted(held), session_close)
        point = self._portfolios.mark_to_market(portfolio_id)
        detail = self._portfolios.show(portfolio_id)
        marks = {p.symbol: p.last_price for p in detail.positions}
        quantities = {p.symbol: p.quantity for p in detail.positions}
        return Reconciliation(portfolio_id, point, marks, quantities, tuple(closed))


def _place(
    desk: OrderDesk,
    reading: PlanReading,
    mode: ExecutionMode | None,
    settings: PlanSettings,
    day: date,
    skip_bad_rows: bool,
) -> PlanExecution:
    placed_before: dict[int, Order] = {}
    fresh: list[PlanRow] = []
    for row in reading.rows:
        existing = desk.existing_order(client_order_id(day, row.row))
        if existing is not None:
            placed_before[row.row] = existing
        else:
            fresh.append(row)
    steps = {t: desk.instrument(t).lot_size for t in sorted({r.ticker for r in fresh})}
    filtered = filter_plan(
        fresh,
        mode,
        desk.equity(),
        settings,
        quantity_steps=steps,
        exposure_in_use=desk.exposure(),
    )
    kept = {row.row: row for row in filtered.rows}
    end_of_day = settings.eod_close_intraday and mode is ExecutionMode.INTRADAY
    holds: list[tuple[str, PlanHold]] = []
    outcomes: dict[int, PlacedRow] = {}
    problems: list[PlanProblem] = []
    orders: list[Order] = []
    for number, order in placed_before.items():
        outcomes[number] = PlacedRow(
            number,
            order.symbol,
            order.side.value,
            order.quantity,
            order.client_order_id,
            "already placed",
            (order.order_id,),
            f"placed before as {order.order_id} ({order.status.value})",
        )
    for decision in filtered.decisions:
        if decision.row not in kept:
            outcomes[decision.row] = PlacedRow(
                decision.row,
                decision.ticker,
                decision.side,
                decision.qty,
                client_order_id(day, decision.row),
                "not kept",
                reason=decision.reason,
            )
    for row in filtered.rows:  # in rank order
        request = _request(row, day, settings)
        try:
            made = desk.place(request)
        except (InvalidInputError, OrderError) as error:
            wanted = f"{row.side.value} {row.qty} {row.ticker}"
            problem = PlanProblem(row.row, "order", wanted, f"refused by the portfolio: {error}")
            if not skip_bad_rows:
                raise PlanError(reading.source, [problem]) from None
            problems.append(problem)
            outcomes[row.row] = PlacedRow(
                row.row,
                row.ticker,
                row.side.value,
                row.qty,
                request.client_order_id or "",
                "skipped",
                reason=str(error),
            )
            continue
        orders.extend(made)
        hold_days = row.max_hold_days if row.max_hold_days is not None else settings.max_hold_days
        entry = request.client_order_id or ""
        holds.append((row.ticker, PlanHold(entry, row.row, day.isoformat(), hold_days, end_of_day)))
        outcomes[row.row] = PlacedRow(
            row.row,
            row.ticker,
            row.side.value,
            row.qty,
            request.client_order_id or "",
            "placed",
            tuple(order.order_id for order in made),
        )
    record_holds(desk, holds)
    return PlanExecution(
        desk.portfolio_id,
        day,
        filtered,
        tuple(outcomes[number] for number in sorted(outcomes)),
        (*reading.skipped, *problems),
        tuple(orders),
    )


def _request(row: PlanRow, day: date, settings: PlanSettings) -> OrderRequest:
    limit = settings.entry_type is EntryType.LIMIT
    return OrderRequest(
        symbol=row.ticker,
        side=row.side,
        quantity=row.qty,
        order_type=OrderType.LIMIT if limit else OrderType.MARKET,
        limit_price=row.entry_price if limit else None,
        stop_loss=row.stop_loss,
        take_profit=row.take_profit,
        client_order_id=limits.client_order_id_value(client_order_id(day, row.row), "row"),
        reason=f"trade plan {day.isoformat()} row {row.row}",
        strategy="plan",
    )


def _plan_date(rows: Sequence[PlanRow]) -> date | None:
    moments = [row.entry_datetime for row in rows if row.entry_datetime is not None]
    return min(moments).date() if moments else None


def _quantity_steps(rows: Sequence[PlanRow]) -> dict[str, Decimal]:
    """Each ticker's quantity step from the instrument table (whole units when unknown)."""
    from paperdesk.data.instruments import instrument_for
    from paperdesk.domain.errors import PaperdeskError

    steps: dict[str, Decimal] = {}
    for ticker in sorted({row.ticker for row in rows}):
        try:
            steps[ticker] = instrument_for(ticker).lot_size
        except PaperdeskError:
            steps[ticker] = Decimal(1)
    return steps


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def plan_csv(rows: Sequence[PlanRow]) -> str:
    """The rows as a plan CSV the reader reads back (``source_row``: the row in the input)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.ticker,
                row.side.value,
                row.qty,
                row.entry_price,
                _cell(row.take_profit),
                _cell(row.stop_loss),
                _cell(row.prob_win),
                _cell(row.strength),
                _cell(row.etth_days),
                "" if row.entry_datetime is None else row.entry_datetime.isoformat(),
                _cell(row.max_hold_days),
                row.row,
            ]
        )
    return buffer.getvalue()


def _cell(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a new temporary file beside ``path`` (created exclusively: never
    through a planted symlink) and rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def plan_row_document(row: PlanRow) -> dict[str, object]:
    """One plan row as JSON: exact decimals as strings, the entry time ISO-8601 UTC, None as
    null (what the API answers for a filtered plan)."""
    return {
        "row": row.row,
        "ticker": row.ticker,
        "side": row.side.value,
        "qty": str(row.qty),
        "entry_price": str(row.entry_price),
        "take_profit": _text_or_none(row.take_profit),
        "stop_loss": _text_or_none(row.stop_loss),
        "prob_win": _text_or_none(row.prob_win),
        "strength": _text_or_none(row.strength),
        "etth_days": _text_or_none(row.etth_days),
        "entry_datetime": None if row.entry_datetime is None else row.entry_datetime.isoformat(),
        "max_hold_days": _text_or_none(row.max_hold_days),
    }


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
