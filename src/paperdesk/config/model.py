"""The base of run-description models: frozen, strict about unknown keys, errors in our words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from paperdesk.config.options import option_of
from paperdesk.domain.errors import InvalidInputError, OptionError


def config_error(error: ValidationError) -> InvalidInputError:
    """The first problem of a validation error, as the error a parser raised or in one line."""
    first = error.errors(include_url=False)[0]
    original = (first.get("ctx") or {}).get("error")
    if isinstance(original, InvalidInputError):
        return original
    where = ".".join(str(part) for part in first["loc"]) or "the run description"
    if first["type"] == "extra_forbidden":
        return OptionError(f"unknown setting {where!r}")
    if first["type"] == "missing":
        return OptionError(f"missing setting {where!r}")
    message = str(first["msg"]).removeprefix("Value error, ")
    return OptionError(f"invalid value for {where}: {first.get('input')!r} ({message})")


class ConfigModel(BaseModel):
    """Frozen; every declared option is parsed by its own parser, so a value set anywhere (the
    command line, a run file, stored settings, an API body, Python) is checked by one rule."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Every declared option documents its field: help as the description, and the
        run-file key, the command-line flag and the unit in the JSON schema (the API's)."""
        super().__pydantic_init_subclass__(**kwargs)
        changed = False
        for name, field in cls.model_fields.items():
            option = option_of(cls, name)
            if option is None or field.description:
                continue
            field.description = option.help
            extra: dict[str, JsonValue] = {"x-key": option.key, "x-flag": option.cli_flag}
            if option.unit:
                extra["x-unit"] = option.unit
            field.json_schema_extra = extra
            changed = True
        if changed:
            cls.model_rebuild(force=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise config_error(error) from None

    @classmethod
    def parse(cls, data: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> Self:
        """Validate ``data``; ``labels`` names where each option key was set, for messages."""
        document = _labelled(cls, data, labels or {})
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            raise config_error(error) from None

    def with_changes(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` (``model_copy`` would skip the checks)."""
        document = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self).parse(self._merge(document, changes))

    @classmethod
    def _merge(cls, document: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        return {**document, **changes}

    @field_validator("*", mode="before")
    @classmethod
    def parse_declared_option(cls, value: Any, info: ValidationInfo) -> Any:
        field_name = info.field_name
        option = option_of(cls, field_name) if field_name is not None else None
        if option is None or value is None:
            return value
        return option.parse(value, field_name or option.key)


def _labelled(
    model: type[BaseModel], data: Mapping[str, Any], labels: Mapping[str, str]
) -> dict[str, Any]:
    """``data`` with every declared option parsed under the label of where it was set (the
    model's own validation, which parses again, would only know the field's name)."""
    document = dict(data)
    for name, value in data.items():
        field = model.model_fields.get(name)
        if field is None or value is None:
            continue
        option = option_of(model, name)
        if option is not None:
            document[name] = option.parse(value, labels.get(option.key, name))
            continue
        nested = field.annotation
        if (
            isinstance(nested, type)
            and issubclass(nested, BaseModel)
            and isinstance(value, Mapping)
        ):
            document[name] = _labelled(nested, value, labels)
    return document
