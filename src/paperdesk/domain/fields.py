"""A field an error message names once, in each surface's own words: the command line names it
as its option (``--stop-loss``), the REST API as the JSON field (``stop_loss``), the Alpaca API
as Alpaca's field (``stop_loss.stop_price``).

A message marks the field with ``field_mark(key)`` (``key`` is the REST API's JSON name; the
option is ``--key-with-dashes`` unless ``flag`` says otherwise); ``str()`` of a paperdesk
error names it as the option, so the command line and the logs read as they always did, and
each API renders the same message with its own ``Namer``. ``marked`` keeps the marks of an
error quoted inside another error's message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

# Private-use characters: nothing a person types, so a mark never collides with a value.
_OPEN, _FLAG, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile("\ue000([^\ue000-\ue002]+)(?:\ue001([^\ue000-\ue002]+))?\ue002")

Namer = Callable[[str, str], str]
"""(the field's key, its command-line option) -> the words a surface names it with."""


def field_mark(key: str, flag: str | None = None) -> str:
    """The mark of the field ``key`` in a message; its option is ``flag`` (else
    ``--key-with-dashes``)."""
    return f"{_OPEN}{key}{_FLAG}{flag}{_CLOSE}" if flag else f"{_OPEN}{key}{_CLOSE}"


def setting_mark(key: str) -> str:
    """The mark of the run option ``key`` (a portfolio's setting): the command line names it as
    its option (``--size-pct``), the REST API as the key of a portfolio's ``settings``
    (``settings.size_pct``)."""
    return field_mark(f"settings.{key}")


def surface_words(api: str, command_line: str) -> str:
    """Words that differ by surface, marked as a field is: the REST and Alpaca APIs read
    ``api``, the command line, Python and the logs ``command_line`` (a hint naming options or
    paths that the APIs refuse)."""
    return field_mark(api, command_line)


def option_flag(key: str) -> str:
    """The command-line option of a field whose mark gives none: ``--key-with-dashes``."""
    return "--" + key.rsplit(".", 1)[-1].replace("_", "-")


def as_option(_key: str, option: str) -> str:
    """The command line's words: the option."""
    return option


def as_field(key: str, _option: str) -> str:
    """The REST API's words: the JSON field."""
    return key


def renamed(fields: Mapping[str, str], otherwise: Namer = as_field) -> Namer:
    """A namer that names ``fields``' keys by their value, and the rest by ``otherwise``."""

    def name(key: str, option: str) -> str:
        found = fields.get(key)
        return found if found is not None else otherwise(key, option)

    return name


def named(text: str, namer: Namer) -> str:
    """``text`` with every mark replaced by the namer's words for its field."""
    if _OPEN not in text:
        return text
    return _MARK.sub(lambda match: namer(match[1], match[2] or option_flag(match[1])), text)


def marked(error: BaseException) -> str:
    """The message of ``error`` with its marks kept, to quote inside another message."""
    return str(error.args[0]) if len(error.args) == 1 else str(error)
