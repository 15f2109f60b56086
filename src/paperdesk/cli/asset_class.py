"""``--asset-class``: the class of a symbol paperdesk does not know (``data import``,
``backtest --data``)."""

from __future__ import annotations

from typing import Annotated

import typer

from paperdesk.domain import AssetClass

CHOICES = "|".join(member.value for member in AssetClass)

AssetClassOption = Annotated[
    str | None,
    typer.Option(
        "--asset-class",
        metavar=CHOICES,
        help="The symbol's asset class, when paperdesk cannot know it (stored with the series).",
    ),
]
