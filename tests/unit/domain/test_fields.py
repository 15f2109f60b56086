"""A field an error names once: the command line reads its option, the REST API its JSON
field, the Alpaca API Alpaca's field; quoting an error inside another keeps the marks."""

from __future__ import annotations

import pytest

from paperdesk.domain.errors import InvalidInputError, OptionError
from paperdesk.domain.fields import (
    as_field,
    as_option,
    field_mark,
    marked,
    named,
    renamed,
    setting_mark,
)


def test_the_command_line_reads_the_option_and_the_api_the_json_field() -> None:
    error = OptionError(f"invalid value for {field_mark('stop_loss')}: '-1'")
    assert str(error) == "invalid value for --stop-loss: '-1'"
    assert error.named_by(as_option) == "invalid value for --stop-loss: '-1'"
    assert error.named_by(as_field) == "invalid value for stop_loss: '-1'"


def test_a_field_whose_option_is_spelled_otherwise_names_both() -> None:
    error = OptionError(f"{field_mark('start', '--from')} 2021-02-01 is after the end")
    assert str(error) == "--from 2021-02-01 is after the end"
    assert error.named_by(as_field) == "start 2021-02-01 is after the end"
    client_id = field_mark("client_order_id", "--client-id")
    assert named(client_id, as_option) == "--client-id"
    assert named(client_id, as_field) == "client_order_id"


def test_a_run_option_is_a_key_of_a_portfolios_settings_in_the_api() -> None:
    error = OptionError(f"{setting_mark('replay_from')} only applies to {setting_mark('source')}")
    assert str(error) == "--replay-from only applies to --source"
    assert error.named_by(as_field) == "settings.replay_from only applies to settings.source"


def test_a_surface_renames_the_fields_it_spells_otherwise() -> None:
    text = f"{field_mark('quantity')} {field_mark('stop_loss')} {field_mark('limit_price')}"
    assert named(text, renamed({"quantity": "qty"})) == "qty stop_loss limit_price"


def test_quoting_an_error_inside_another_keeps_its_fields_for_every_surface() -> None:
    inner = OptionError(f"invalid value for {field_mark('exposure_cap')}: '2'")
    outer = InvalidInputError(f"malformed settings: {marked(inner)}")
    assert str(outer) == "malformed settings: invalid value for --exposure-cap: '2'"
    assert outer.named_by(as_field) == "malformed settings: invalid value for exposure_cap: '2'"
    assert marked(ValueError("plain")) == "plain"


@pytest.mark.parametrize("value", ["--stop-loss", "a \ue000 lone mark", "{stop_loss}", ""])
def test_text_without_a_whole_mark_is_left_as_it_is(value: str) -> None:
    assert named(value, as_field) == value
    assert str(OptionError(value)) == value
