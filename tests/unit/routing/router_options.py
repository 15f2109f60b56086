"""Build a router from flat keyword options, as the routing tests describe their cases."""

from __future__ import annotations

from typing import Any

from paperdesk.config import RiskConfig, SizeTiming, SizingConfig
from paperdesk.routing import SignalRouter, build_router

SIZING = {"sizing_method": "method", "percent": "percent", "quantity": "quantity",
          "risk_percent": "risk_percent", "lots": "lots"}  # fmt: skip
RISK = ("min_confidence", "allowed_symbols", "cooldown_bars", "pyramiding", "allow_short",
        "exposure_cap_percent", "max_position_percent", "max_open_positions",
        "daily_loss_limit_percent")  # fmt: skip
PASSED_ON = {"fee_estimator": "fees", "check_cash": "check_cash", "order_type": "order_type",
             "time_in_force": "time_in_force"}  # fmt: skip


def router_with(**options: Any) -> SignalRouter:
    """``build_router`` from the run description's sizing and risk sections, given flat."""
    sizing = {SIZING[key]: options.pop(key) for key in list(options) if key in SIZING}
    if options.pop("size_at_fill", False):
        sizing["timing"] = SizeTiming.FILL
    risk = {key: options.pop(key) for key in list(options) if key in RISK}
    passed = {PASSED_ON[key]: options.pop(key) for key in list(options) if key in PASSED_ON}
    if options:
        raise TypeError(f"unknown router options {sorted(options)}")
    return build_router(SizingConfig(**sizing), RiskConfig(**risk), **passed)
