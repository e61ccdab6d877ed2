"""Modules run only when first used: for a standard-library module that a dependency imports at its top for
a feature this program never uses, where the import costs start-up time on every build.

`defer("urllib.request")` puts the module in `sys.modules` with its code not yet run; a later `import
urllib.request` anywhere finds it there and costs nothing; the first read of anything the module defines
runs its code, in that same module object, and from then on it is the plain module. (The standard
library's `importlib.util.LazyLoader` runs the code on the first read of any attribute, and an `import`
statement reads `__spec__`: it would run at once.)
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types

_lock = threading.RLock()
_running: set[str] = set()  # modules whose code is running now


class _Deferred(types.ModuleType):
    """A module whose code has not run yet. Module attributes set by the import system (`__spec__`,
    `__name__`, `__loader__`, `__file__`) are there; a read of anything else runs the code first."""

    def __getattr__(self, name: str) -> object:
        with _lock:  # another thread waits here till the code has run
            if type(self) is _Deferred and self.__name__ not in _running:
                _running.add(self.__name__)
                try:
                    spec = self.__spec__
                    assert spec is not None and spec.loader is not None
                    spec.loader.exec_module(self)
                except BaseException:
                    sys.modules.pop(self.__name__, None)  # as a failed import leaves it
                    raise
                finally:
                    _running.discard(self.__name__)
                self.__class__ = types.ModuleType  # type: ignore[assignment]
        if type(self) is _Deferred:  # read by the module's own code while it runs
            raise AttributeError(f"partially initialized module {self.__name__!r} has no {name!r}")
        return getattr(self, name)  # AttributeError if the module has no such name, as usual


def defer(name: str) -> None:
    """Make `import name` cost nothing until the module is used (nothing to do if it is imported already)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return  # not importable here: the plain import will say so where it is made
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        # `import a.b` finds the module in sys.modules and binds `a`: `a.b` must be there
        setattr(sys.modules[parent], child, module)
