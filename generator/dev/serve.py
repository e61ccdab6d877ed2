"""Development server: the build folder over HTTP plus a reload channel; handed a `rebuild` callable.

Follows MkDocs' livereload: the reload client is injected before the last `</body>` of served HTML only
(never into built files), and build errors don't stop the server. Requests never wait for a rebuild: the
writer replaces every file whole (a rename), so a request gets the file as it was or as it is now, never a
half-written one, within milliseconds while rebuilds follow one another. Requests run on a bounded pool of
threads; connections still waiting for their request and live-reload streams hold no thread
(`dev/streams.py`). Knows nothing of content: `rebuild(changed_sources)` returns an `Outcome` naming the
output files it changed, or the error text to show.
"""

from __future__ import annotations

import html
import io
import mimetypes
import re
import socket
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from generator.dev.streams import Connections

if TYPE_CHECKING:
    from generator.dev.watch import Watcher

CLIENT_JS = Path(__file__).resolve().parent.parent / "data" / "livereload.js"
SCRIPT_NAME = "__livereload__.js"
EVENTS_NAME = "__livereload__/events"
OVERLAY_ID = "__livereload_error__"
HISTORY = 64  # rebuilds remembered, so a tab that connects late still learns what changed
WORKERS = (
    32  # threads answering requests; more requests wait for one (in order) instead of a new thread
)
TIMEOUT = 5.0  # seconds a request thread waits on a client that stopped sending or reading


@dataclass(frozen=True)
class Outcome:
    """What one rebuild did: output paths (relative to the build folder) written or removed, or the error text."""

    changed: frozenset[str] = frozenset()
    error: str | None = None
    # every changed source was a stylesheet: tabs may swap <link>s instead of reloading
    css_only: bool = False


Rebuild = Callable[[set[Path]], Outcome]
# fast render of the edited pages, or None where it does not apply
Quick = Callable[[set[Path]], "Outcome | None"]


def inject(page: bytes, base_path: str, epoch: int, error: str | None, served: str = "") -> bytes:
    """Add the reload client (and the error overlay, while an error stands) before the last </body>.

    `served` is the output path of the page ('' for a not-found page), so the tab knows when it changed.
    """
    tag = (
        f'<script src="{html.escape(base_path + SCRIPT_NAME)}" data-epoch="{epoch}" data-page="{html.escape(served)}" '
        f'data-base="{html.escape(base_path)}" data-events="{html.escape(base_path + EVENTS_NAME)}"></script>'
    )
    if error is not None:
        tag = overlay_html(error) + tag
    data = tag.encode("utf-8")
    at = page.rfind(b"</body>")
    if at < 0:
        return page + data
    return page[:at] + data + page[at:]


def overlay_html(error: str) -> str:
    """The error overlay as markup; the client styles it (the pages' CSP allows no inline styles)."""
    return (
        f'<div id="{OVERLAY_ID}" role="alert"><p>Build failed; the page below is the last good build. '
        f"Fix the file and save: this page reloads.</p><pre>{html.escape(error)}</pre></div>"
    )


class LiveServer(HTTPServer):
    """Serves `site_dir` at `base_path` on a bounded pool of threads, streams reload events to tabs."""

    request_queue_size = 128  # a burst of connections waits in the kernel's queue, not refused

    def __init__(
        self,
        site_dir: Path,
        rebuild: Rebuild,
        *,
        base_path: str = "/",
        host: str = "127.0.0.1",
        port: int = 8000,
        error: str | None = None,
        quick: Quick | None = None,
    ):
        self.site_dir = site_dir.resolve()
        self.rebuild_site = rebuild
        self.quick = quick
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self.error = error  # text of the standing build error, or None
        self._cond = threading.Condition()
        # epochs: the build started last, the build whose files are in place
        self._wanted = self._visible = 0
        self._history: list[tuple[int, Outcome]] = []
        self._stopping = False
        # sockets handed to `connections` (live-reload streams): not closed when their request returns
        self._adopted: set[socket.socket] = set()
        super().__init__((host, port), _Handler)
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="request")
        self.connections = Connections(lambda epoch: self.events_since(epoch, 0))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        assert isinstance(host, str)  # an AF_INET or AF_INET6 address, never bytes
        return f"http://{host}:{port}{self.base_path}"

    @property
    def epoch(self) -> int:
        with self._cond:
            return self._visible

    def state(self) -> tuple[int, str | None]:
        """(epoch of the build whose files are in place, its error text or None), read together."""
        with self._cond:
            return self._visible, self.error

    def rebuild(self, changed: set[Path]) -> Outcome:
        """Run the rebuild; then publish its outcome to every tab.

        With a `quick` callable (fast render, as `hugo server` does), the edited pages are written and
        announced first; the full rebuild then settles the rest of the site (lists, feeds, search) and
        announces what it changed. Requests are answered meanwhile: every file is replaced whole.
        """
        with self._cond:
            self._wanted += 1
            epoch = self._wanted
        first = None
        if self.quick is not None and self.error is None:
            try:
                first = self.quick(changed)
            # fast render is an optimisation: on any failure the full rebuild does the work
            except Exception:
                traceback.print_exc()
                first = None
            if first is not None:
                self._publish(epoch, first)
        try:
            outcome = self.rebuild_site(changed)
        # the callable should catch its own errors; never let one kill the server
        except Exception as exc:
            traceback.print_exc()
            outcome = Outcome(error=f"{type(exc).__name__}: {exc}")
        if first is not None:
            with self._cond:
                self._wanted += 1
                epoch = self._wanted
        self._publish(epoch, outcome)
        return outcome

    def _publish(self, epoch: int, outcome: Outcome) -> None:
        with self._cond:
            self.error = outcome.error
            self._visible = epoch
            self._history.append((epoch, outcome))
            del self._history[:-HISTORY]
            self._cond.notify_all()
        self.connections.notify_build()

    def events_since(self, epoch: int, timeout: float) -> tuple[int, dict | None]:
        """Wait up to `timeout` for builds newer than `epoch`; return the newest epoch and the merged
        event (or None)."""
        with self._cond:
            # the tab was served by an earlier run of the server: reload it
            if epoch > self._visible:
                return self._visible, {
                    "epoch": self._visible,
                    "changed": None,
                    "css_only": False,
                    "error": self.error,
                }
            self._cond.wait_for(lambda: self._visible > epoch or self._stopping, timeout=timeout)
            if self._stopping or self._visible <= epoch:
                return epoch, None
            newer = [(e, o) for e, o in self._history if e > epoch]
            complete = bool(newer) and newer[0][0] == epoch + 1
            changed: set[str] = set()
            for _, outcome in newer:
                changed |= outcome.changed
            event = {
                "epoch": self._visible,
                # None: too old to know what changed, so reload whatever the tab shows.
                "changed": sorted(changed) if complete else None,
                "css_only": complete and all(o.css_only for _, o in newer if o.error is None),
                "error": self.error,
            }
            return self._visible, event

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """Hand the connection to the pool once its request starts to arrive (an idle one holds no thread)."""
        self.connections.wait_for_request(
            request, lambda sock, head: self._pool.submit(self._answer, sock, client_address, head)
        )

    def _answer(self, request: socket.socket, client_address: object, head: bytes) -> None:
        try:
            _Handler(request, client_address, self, head)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def adopt_stream(self, request: socket.socket, epoch: int, head: bytes) -> bool:
        """Hand a live-reload stream to `connections`; False when too many are open."""
        with self._cond:
            self._adopted.add(request)
        if self.connections.adopt(request, epoch, head):
            return True
        with self._cond:
            self._adopted.discard(request)
        return False

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._cond:
            if request in self._adopted:
                self._adopted.discard(request)
                return
        super().shutdown_request(request)

    def shutdown(self) -> None:
        """Stop serving: wake event waiters, then stop the accept loop."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        super().shutdown()

    def server_close(self) -> None:
        """Close the listening socket, every stream and waiting connection, and join the request threads."""
        super().server_close()
        self.connections.close()
        self._pool.shutdown(wait=True)

    @property
    def stopping(self) -> bool:
        return self._stopping


class _Handler(BaseHTTPRequestHandler):
    server: LiveServer
    server_version = "briefings-serve"
    timeout = TIMEOUT

    def __init__(
        self, request: socket.socket, client_address: Any, server: LiveServer, head: bytes = b""
    ):
        self.head = head  # the request line and headers, already read by `connections`
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        super().setup()
        if self.head:  # GET and HEAD only: nothing follows the head
            self.rfile = io.BytesIO(self.head)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a line per request drowns the one line per rebuild that matters

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        server = self.server
        path = unquote(urlsplit(self.path).path)
        base = server.base_path
        if path == base + SCRIPT_NAME:
            return self._send(
                HTTPStatus.OK, CLIENT_JS.read_bytes(), "text/javascript; charset=utf-8", head
            )
        if path == base + EVENTS_NAME:
            return self._events()
        if not path.startswith(base):
            if path in ("/", base.rstrip("/")):
                return self._redirect(base)
            return self._not_found(head)
        epoch, error = server.state()
        rel = path[len(base) :]
        target = self._resolve(rel)
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                return self._redirect(path + "/")
            target = self._resolve(rel + "index.html")
        if target is None or not target.is_file():
            return self._not_found(head)
        try:
            data = target.read_bytes()
        except OSError:
            return self._not_found(head)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".html":
            data = inject(data, base, epoch, error, target.relative_to(server.site_dir).as_posix())
        if ctype.startswith("text/") or ctype in (
            "application/javascript",
            "application/xml",
            "image/svg+xml",
            "application/json",
        ):
            ctype += "; charset=utf-8"
        self._send(HTTPStatus.OK, data, ctype, head)

    def _resolve(self, rel: str) -> Path | None:
        """The file for a URL path under the build folder, or None if it would fall outside it."""
        if "\x00" in rel or "\\" in rel:
            return None
        root = self.server.site_dir
        target = (root / rel).resolve()
        return target if target == root or target.is_relative_to(root) else None

    def _not_found(self, head: bool) -> None:
        page = self._resolve("404.html")
        try:
            data = page.read_bytes() if page else b""
        except OSError:
            data = b""
        if not data:
            data = (
                b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Not found</title></head>'
                b"<body><h1>Not found</h1></body></html>"
            )
        data = inject(data, self.server.base_path, *self.server.state())
        self._send(HTTPStatus.NOT_FOUND, data, "text/html; charset=utf-8", head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, data: bytes, ctype: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the rebuilt page
        self.end_headers()
        if not head:
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def _events(self) -> None:
        """Server-sent events: one `build` event per finished rebuild newer than the tab's epoch, written by
        `connections` (this thread returns at once)."""
        query = urlsplit(self.path).query
        match = re.search(r"(?:^|&)epoch=(\d+)", query)
        epoch = int(match.group(1)) if match else self.server.epoch
        head = (
            f"{self.protocol_version} 200 OK\r\nServer: {self.version_string()}\r\n"
            f"Date: {self.date_time_string()}\r\nContent-Type: text/event-stream\r\n"
            "Cache-Control: no-store\r\n\r\nretry: 500\n\n"
        ).encode("ascii")
        if not self.server.adopt_stream(self.connection, epoch, head):
            self._send(
                HTTPStatus.SERVICE_UNAVAILABLE,
                b"too many live-reload streams open; close some tabs\n",
                "text/plain; charset=utf-8",
                head=False,
            )


def run(server: LiveServer, watcher: Watcher, announce: Callable[[str], None] = print) -> None:
    """Serve and watch until Ctrl-C; then stop the watcher, the server and every thread cleanly."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="http"
    )
    watcher.start()
    thread.start()
    announce(f"serving {server.url}  (Ctrl-C to stop)")
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        announce("stopping")
    finally:
        watcher.stop()
        server.shutdown()
        thread.join()
        server.server_close()  # joins the request threads (event streams end on shutdown)
