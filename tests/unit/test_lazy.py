"""Lazy package exports (``paperdesk._lazy``): the same names as eager imports gave."""

from __future__ import annotations

import subprocess
import sys

import pytest

SUBMODULE_FIRST = """
import paperdesk.data.resample  # the submodule named like the function it exports
from paperdesk.data import resample
import paperdesk.data
assert callable(resample) and resample.__name__ == "resample", resample
assert paperdesk.data.resample is resample
from paperdesk.service import Services
assert Services.__name__ == "Services"
print("ok")
"""


def test_an_export_named_like_its_submodule_stays_the_export() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SUBMODULE_FIRST], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_an_unknown_name_is_an_attribute_error() -> None:
    import paperdesk.data

    assert "find_bundled" in dir(paperdesk.data)
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        paperdesk.data.no_such_thing  # type: ignore[attr-defined]  # noqa: B018


ERRORS_ALONE = """
import sys
from paperdesk.domain import OptionError, PaperdeskError
assert issubclass(OptionError, PaperdeskError)
loaded = sorted(name for name in sys.modules if name.startswith("paperdesk.domain."))
print(" ".join(loaded))
"""


def test_the_domain_loads_only_the_values_asked_for() -> None:
    """The command line's help needs the domain's errors alone: asking for them loads no other
    value type or event (the package exported them all eagerly)."""
    done = subprocess.run(
        [sys.executable, "-c", ERRORS_ALONE], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["paperdesk.domain.errors", "paperdesk.domain.fields"]
