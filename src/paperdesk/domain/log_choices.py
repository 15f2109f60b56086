"""The log levels and formats the interfaces accept (``PAPERDESK_LOG_LEVEL``, ``--log-level``,
``PAPERDESK_LOG_FORMAT``, ``--log-format``), here so that checking a flag loads no settings."""

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_LOG_LEVEL = "WARNING"
LOG_FORMATS = ("text", "json")
