"""What trading each instrument of a run costs: one fee model and a slippage model per instrument.

Both are chosen from the run description's execution section, and both are asked with the
instrument in hand, so a run holding a forex pair and a stock charges each its own way (a
per-lot fee of a EURUSD lot is not the fee of a SPY share; a forex spread is not a stock's bps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from paperdesk.config import ExecutionConfig
from paperdesk.domain import AssetClass, Instrument, InvalidInputError
from paperdesk.domain.fields import setting_mark
from paperdesk.execution.fees import FeeModel, parse_fee_model
from paperdesk.execution.slippage import (
    BySpreadOrBasisPoints,
    FixedBasisPoints,
    HalfSpread,
    NoSlippage,
    SlippageModel,
)

_FOREX = AssetClass.FOREX


@dataclass(frozen=True, slots=True)
class CostModels:
    """The fee and slippage models of one run (each applied per instrument)."""

    fees: FeeModel
    slippage: SlippageModel


def basis_points_model(bps: Decimal) -> SlippageModel:
    return NoSlippage() if bps == 0 else FixedBasisPoints(bps)


def cost_models(execution: ExecutionConfig, instruments: Iterable[Instrument]) -> CostModels:
    """The run's costs; ``--spread-pips`` needs a forex pair among the instruments to apply to."""
    return costs_of(
        execution.commission, execution.slippage_bps, execution.spread_pips, instruments
    )


def costs_of(
    commission: str,
    slippage_bps: Decimal,
    spread_pips: Decimal | None,
    instruments: Iterable[Instrument],
    mark: Callable[[str], str] = setting_mark,
) -> CostModels:
    """The costs of a run or a plan simulation: the fee model, bps slippage, and under
    ``spread_pips`` half that spread for forex pairs instead (refused, naming the field by
    ``mark``, when no instrument held is a forex pair)."""
    fees = parse_fee_model(commission)
    bps = basis_points_model(slippage_bps)
    if spread_pips is None:
        return CostModels(fees, bps)
    held = list(instruments)
    if held and not any(instrument.asset_class is _FOREX for instrument in held):
        first = held[0]
        raise InvalidInputError(
            f"{mark('spread_pips')} applies to forex pairs; {first.symbol} is "
            f"{first.asset_class.value} (use {mark('slippage_bps')})"
        )
    return CostModels(fees, BySpreadOrBasisPoints(HalfSpread(spread_pips), bps))
