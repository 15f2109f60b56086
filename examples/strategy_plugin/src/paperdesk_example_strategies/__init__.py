"""Example paperdesk strategy plug-in: one rule, written as a vectorised and a per-bar strategy."""

from paperdesk_example_strategies.rule import entry_rows
from paperdesk_example_strategies.sma_entries import SmaEntries, SmaEntriesParameters
from paperdesk_example_strategies.sma_hold import SmaHold, SmaHoldParameters

__all__ = ["SmaEntries", "SmaEntriesParameters", "SmaHold", "SmaHoldParameters", "entry_rows"]
