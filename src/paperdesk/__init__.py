"""paperdesk: a paper-trading platform with one engine for backtest, walk-forward and live."""

import decimal as _decimal

# Exact money needs room: an adjusted price carries up to 17 decimals, and a fill's value, its
# fee and a slipped price add more, so a cash balance can need 30 and more significant digits,
# beyond the 28 of Python's default context (where the ledger would round, and its books stop
# balancing). Every paperdesk process, and every thread it starts, computes with at least this
# many (a context already set higher is kept).
MONEY_PRECISION = 50
_decimal.DefaultContext.prec = max(_decimal.DefaultContext.prec, MONEY_PRECISION)
if _decimal.getcontext().prec < MONEY_PRECISION:
    _decimal.getcontext().prec = MONEY_PRECISION

# The event kernel's compiled build (mypyc), used only while it matches these sources.
from paperdesk import native as _native  # noqa: E402

_native.install()
