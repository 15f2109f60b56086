"""What the compiled build's sources must not use (``paperdesk/native.py``): mypyc compiles a
class to a native class without a ``__dict__``, where ``functools.cached_property`` has nowhere to
keep its value and runs its function again at every read (a memo that silently stops memoising:
``BarArrays`` decided its bar rule over every column at each bar it built, six times slower)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from paperdesk import native
from paperdesk.domain import Instrument


def _source(module: str) -> Path:
    return native.PACKAGE_DIRECTORY.parent / (module.replace(".", "/") + ".py")


@pytest.mark.parametrize("module", native.NATIVE_MODULES)
def test_a_compiled_module_memoises_without_cached_property(module: str) -> None:
    tree = ast.parse(_source(module).read_text(encoding="utf-8"))
    used = [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Name) and node.id == "cached_property")
        or (isinstance(node, ast.Attribute) and node.attr == "cached_property")
    ]
    assert not used, f"{module} uses cached_property (lines {used}); memoise in an attribute"


def test_an_instrument_crosses_to_a_worker_process() -> None:
    """A sweep sends its instrument to worker processes (``service/sweeps.py``): a frozen
    dataclass compiled by mypyc cannot be unpickled (its state is set field by field, which a
    frozen class refuses), so ``domain/instruments.py`` stays interpreted."""
    instrument = Instrument.equity("SPY")
    assert pickle.loads(pickle.dumps(instrument)) == instrument
