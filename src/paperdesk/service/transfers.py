"""A portfolio's export and import through the container: folders for the CLI
(``paperdesk export`` / ``paperdesk import``), zip archives for the API. The interfaces call
this service; none of them holds the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperdesk.service.exports import ExportReport
    from paperdesk.service.imports import ImportReport
    from paperdesk.store import Database


class TransferService:
    """Export a portfolio, or import an export as a new portfolio. The files an imported
    portfolio's settings name are copied under ``attachments_home``."""

    def __init__(self, database: Database, *, attachments_home: Path) -> None:
        self._database = database
        self._attachments_home = attachments_home

    def export_folder(
        self, portfolio_id: int, directory: Path, *, force: bool = False
    ) -> ExportReport:
        """Write the export as the folder ``directory`` (whole or not at all)."""
        from paperdesk.service.exports import export_portfolio

        return export_portfolio(self._database, portfolio_id, directory, force=force)

    def import_folder(self, directory: Path, *, name: str | None = None) -> ImportReport:
        """Restore the export in ``directory`` as a new portfolio (checked in full first)."""
        from paperdesk.service.imports import import_portfolio

        return import_portfolio(
            self._database, directory, name=name, attachments_home=self._attachments_home
        )

    def export_archive(self, portfolio_id: int) -> bytes:
        """The export as zip bytes, built in a private temporary folder."""
        from paperdesk.service.archive_transfers import export_archive

        return export_archive(self._database, portfolio_id)

    def import_archive(self, content: bytes, *, name: str | None = None) -> ImportReport:
        """Restore an uploaded zip (untrusted: checked as ``archive_transfers`` says)."""
        from paperdesk.service.archive_transfers import import_archive

        return import_archive(
            self._database, content, name=name, attachments_home=self._attachments_home
        )
