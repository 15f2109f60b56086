"""Logging for an interface (the CLI, later the API and the worker), configured once at start.

Records go to stderr (stdout stays for results and ``--json``), as text or as one JSON object a
line. The level comes from, first to last: an explicit level (``--log-level``), a verbosity
(``-v`` INFO, ``-vv`` DEBUG), ``PAPERDESK_LOG_LEVEL``, WARNING; the format from an explicit
format (``--log-format``), else ``PAPERDESK_LOG_FORMAT``, else text.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from paperdesk.domain.log_choices import DEFAULT_LOG_LEVEL, LOG_FORMATS, LOG_LEVELS
from paperdesk.domain.parsing import invalid

if TYPE_CHECKING:
    from paperdesk.settings import Settings

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
# The id of the API request being served (set by the API's middleware, None outside a request):
# every record logged while serving it carries it, so one request's lines can be found.
request_id: ContextVar[str | None] = ContextVar("paperdesk_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Put the current request's id on each record (``record.request_id``, None outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """``TEXT_FORMAT``, followed by `` request_id=...`` on a request's records."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        identifier = getattr(record, "request_id", None)
        return line if identifier is None else f"{line} request_id={identifier}"


@dataclass(frozen=True, slots=True)
class LogSetup:
    level: str
    format: str


class StderrHandler(logging.Handler):
    """Writes to the ``sys.stderr`` of the moment (a test runner may swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def not_an_interrupt(record: logging.LogRecord) -> bool:
    """Drop the records libraries log about a KeyboardInterrupt passing through them (a
    connection pool closing, say): Ctrl-C ends the command with one line, not tracebacks."""
    return not (record.exc_info and isinstance(record.exc_info[1], KeyboardInterrupt))


class JsonLineFormatter(logging.Formatter):
    """One JSON object a record: time (ISO-8601 UTC), level, logger, message, the request id
    inside an API request (and the exception)."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        identifier = getattr(record, "request_id", None)
        if identifier is not None:
            document["request_id"] = identifier
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document)


def _one_of(choices: Sequence[str]) -> str:
    """``DEBUG, INFO, WARNING, ERROR or CRITICAL``: what an option takes, in words."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]


def resolve(
    *,
    level: str | None = None,
    verbosity: int = 0,
    log_format: str | None = None,
    settings: Settings | None = None,
    read_settings: bool = True,
) -> LogSetup:
    """The level and format to use (see the module docstring); a bad value is an OptionError
    naming it, a bad environment variable an InvalidInputError naming the variable.

    ``read_settings=False`` (a command's ``--help``) reads no environment: what is not given
    is WARNING and text, and the settings (pydantic-settings, 0.1 s) are not loaded."""
    needed = (level is None and verbosity <= 0) or log_format is None
    if needed and settings is None and read_settings:
        from paperdesk.settings import Settings

        settings = Settings()
    if level is not None:
        chosen = level.strip().upper()
        if chosen not in LOG_LEVELS:
            raise invalid("--log-level", level, _one_of(LOG_LEVELS))
    elif verbosity > 0:
        chosen = "INFO" if verbosity == 1 else "DEBUG"
    else:
        chosen = DEFAULT_LOG_LEVEL if settings is None else settings.log_level
    if log_format is not None:
        shape = log_format.strip().lower()
        if shape not in LOG_FORMATS:
            raise invalid("--log-format", log_format, _one_of(LOG_FORMATS))
    else:
        shape = LOG_FORMATS[0] if settings is None else settings.log_format
    return LogSetup(chosen, shape)


def settings_refused(log_format: str | None) -> LogSetup:
    """The logging of a server refused for a bad setting (so ``resolve`` could not read the
    settings): the default level, in the format ``--log-format`` asks for, else the one
    ``PAPERDESK_LOG_FORMAT`` in the environment names (a ``.env`` file is not read then), else
    text; a format that is no format is text."""
    from paperdesk.settings import unchecked_setting

    asked = log_format if log_format is not None else unchecked_setting("log_format")
    shape = (asked or "").strip().lower()
    return LogSetup(DEFAULT_LOG_LEVEL, shape if shape in LOG_FORMATS else LOG_FORMATS[0])


def configure_logging(setup: LogSetup) -> None:
    """Send log records at ``setup.level`` and above to stderr in ``setup.format``; calling it
    again replaces the handler it installed (never two)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    formatter = JsonLineFormatter() if setup.format == "json" else TextFormatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(not_an_interrupt)
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(setup.level)


def announce(message: str, logger: str) -> None:
    """Write ``message`` on stderr whatever the level (a server's start line): as a JSON
    object (level INFO, ``logger``) when records go out as JSON lines, else as it is."""
    if not json_record(message, logger, logging.INFO):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def json_record(message: str, logger: str, level: int) -> bool:
    """Write ``message`` on stderr as one JSON record of ``logger`` at ``level``, whatever the
    level set, when records go out as JSON lines; False (nothing written) when they do not."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, StderrHandler)]
    formatter = handlers[-1].formatter if handlers else None
    if not isinstance(formatter, JsonLineFormatter):
        return False
    record = logging.LogRecord(logger, level, __file__, 0, message, None, None)
    sys.stderr.write(formatter.format(record) + "\n")
    sys.stderr.flush()
    return True


def share_logging_with_spawned_processes() -> None:
    """Put the log level and format this process resolved (``-v``, ``--log-level``,
    ``--log-format`` or the environment) where the processes it spawns read them
    (``serve --workers N``'s workers)."""
    from paperdesk.settings import hand_to_spawned_processes

    root = logging.getLogger()
    hand_to_spawned_processes(log_level=logging.getLevelName(root.level))
    handlers = [handler for handler in root.handlers if isinstance(handler, StderrHandler)]
    if handlers:
        json_lines = isinstance(handlers[-1].formatter, JsonLineFormatter)
        hand_to_spawned_processes(log_format="json" if json_lines else "text")
