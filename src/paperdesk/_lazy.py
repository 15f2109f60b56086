"""Package exports loaded on first use (PEP 562), so importing a light submodule of a package
(``paperdesk.data.providers.settings``) does not import every heavy sibling (pandas, httpx...).

A package lists its exports once, by module, and keeps the same imports under ``TYPE_CHECKING``
for the type checker::

    __getattr__, __dir__ = lazy_exports(__name__, {"paperdesk.data.bundled": ("find_bundled",)})
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` exporting ``{module: (names...)}``."""
    where = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module protocol's name)
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # the next access is a plain attribute
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*vars(sys.modules[package]), *where})

    class LazyPackage(types.ModuleType):
        """Keeps an export named like its own submodule (``paperdesk.data.resample``, the
        function) from being replaced by that submodule when the submodule is imported."""

        def __setattr__(self, name: str, value: Any) -> None:
            if isinstance(value, types.ModuleType) and where.get(name) == value.__name__:
                return  # the next access goes through __getattr__ and gives the export
            super().__setattr__(name, value)

    sys.modules[package].__class__ = LazyPackage
    return __getattr__, __dir__
