"""Watch folders for saves: a watchdog observer plus a quiet-period debouncer handing a set of changed
paths to a callback.

Knows nothing of content. Editors save in many ways (write in place, write a temp file and rename it over
the original, keep swap and backup files beside it), and each save fires several events; all of them are
coalesced into one call once the folder has been quiet for `quiet` seconds.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

QUIET = 0.04  # seconds without events before the batch is handed over (an editor's save fires its events within ~1 ms)
IGNORED_DIRS = frozenset({"output", ".cache", "__pycache__", "node_modules"})
# Editor junk: vim swap files (.swp, .swx, .swo...) and its write test file 4913, emacs backups (x~) and
# lock/autosave files (.#x, #x#), backups (.bak, .bck, .orig), temp files (.tmp, JetBrains' ___jb_tmp___).
_JUNK = re.compile(
    r"(\.sw[a-p]|\.swx|~|\.bak|\.bck|\.orig|\.tmp|\.temp|\.part|\.crdownload|___jb_(tmp|old)___)$|^(4913|#.*#)$",
    re.I,
)


def is_junk(path: Path, root: Path | None = None) -> bool:
    """True for paths no build reads: editor swap/backup/temp files, hidden files and folders, output/ and .cache/."""
    parts = (
        path.relative_to(root).parts
        if root is not None and path.is_relative_to(root)
        else (path.name,)
    )
    if not parts:
        return False
    if root is not None and parts[0] in IGNORED_DIRS:
        return True
    return any(part.startswith(".") or part in ("__pycache__",) for part in parts) or bool(
        _JUNK.search(parts[-1])
    )


class Debouncer:
    """Collects paths; once no new path has arrived for `quiet` seconds, calls `callback(paths)` on its own thread.

    Paths arriving while the callback runs form the next batch, so a burst of saves during a rebuild
    causes exactly one more rebuild.
    """

    def __init__(self, callback: Callable[[set[Path]], object], quiet: float = QUIET):
        self.callback = callback
        self.quiet = quiet
        self._pending: set[Path] = set()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="debouncer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path]) -> None:
        """Record changed paths and restart the quiet period."""
        with self._cond:
            self._pending.update(paths)
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop after the running callback (if any) returns; pending paths are dropped."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                # Each notify (a new event) restarts the quiet period; a timeout ends it.
                while not self._stopping and self._cond.wait(timeout=self.quiet):
                    pass
                if self._stopping:
                    return
                batch, self._pending = self._pending, set()
            try:
                self.callback(batch)
            except Exception:  # a failing callback must not end the watch; say why and carry on
                traceback.print_exc()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher._event(event)


class Watcher:
    """Watches `root`'s top level (non-recursively) and the folders `names` under it (recursively).

    Output folders beside the watched ones are never walked, so writing the site fires no events. A watched
    folder created or replaced after start is picked up. `extra` folders (outside root) are watched as well.
    """

    def __init__(
        self,
        root: Path,
        names: Iterable[str],
        callback: Callable[[set[Path]], object],
        *,
        poll: bool = False,
        quiet: float = QUIET,
        extra: Iterable[Path] = (),
        poll_interval: float = 0.25,
    ):
        self.root = root.resolve()
        self.names = frozenset(names)
        self.extra = [Path(p).resolve() for p in extra]
        # A poller sees a save that spans one of its ticks at two ticks: only a longer quiet period joins them.
        self.debouncer = Debouncer(callback, max(quiet, poll_interval + 0.05) if poll else quiet)
        self.observer: BaseObserver = (
            PollingObserver(timeout=poll_interval) if poll else Observer(timeout=0.25)
        )
        self._handler = _Handler(self)
        self._watches: dict[Path, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.debouncer.start()
        self.observer.schedule(self._handler, str(self.root), recursive=False)
        for name in sorted(self.names):
            self._watch(self.root / name)
        for folder in self.extra:
            self._watch(folder)
        self.observer.start()

    def stop(self) -> None:
        """Stop the observer and the debouncer and join their threads."""
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join()
        self.debouncer.stop()

    def _watch(self, folder: Path) -> None:
        with self._lock:
            old = self._watches.pop(folder, None)
            if old is not None:
                try:
                    self.observer.unschedule(old)
                except (KeyError, OSError):
                    pass
            if folder.is_dir():
                try:
                    self._watches[folder] = self.observer.schedule(
                        self._handler, str(folder), recursive=True
                    )
                except OSError:  # vanished again in between; its parent's events will tell us
                    pass

    def _relevant(self, path: Path) -> bool:
        if any(path.is_relative_to(folder) for folder in self.extra):
            return not is_junk(path, next(f for f in self.extra if path.is_relative_to(f)))
        if not path.is_relative_to(self.root) or path == self.root:
            return False
        rel = path.relative_to(self.root).parts
        if rel[0] not in self.names:
            return False  # another file or folder at the top level (README, output/...)
        return not is_junk(path, self.root)

    def _event(self, event: FileSystemEvent) -> None:
        # Reads (the build itself opens every file) and folder mtime bumps say nothing new.
        if isinstance(event, (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)):
            return
        paths = [Path(str(event.src_path))]
        if getattr(event, "dest_path", ""):
            paths.append(Path(str(event.dest_path)))
        relevant = [p for p in paths if self._relevant(p)]
        for path in paths:
            # A watched folder (re)created at the top level, e.g. `mv content.new content`, needs a new watch.
            if (
                event.is_directory
                and path.parent == self.root
                and path.name in self.names
                and event.event_type in ("created", "moved")
            ):
                self._watch(path)
        if relevant:
            self.debouncer.add(relevant)
