"""Connections that cost no thread: idle connections waiting for their request, and live-reload streams.

One thread watches every such socket with a selector. A new connection waits here until its whole request
head has arrived (a browser's preconnected socket may never send a byte, a slow client may send half a
line), then goes to the request threads with the head read; a connection without a whole head after
`idle` seconds, or with a head over 64 KiB, is closed. A live-reload stream (server-sent events) is handed over
once its request is read: the thread writes each build event to it, a keep-alive comment every
`keepalive` seconds, and frees it at once when the tab closes it (its socket reads end of file). At most
`max_streams` streams and `max_waiting` waiting connections are held; beyond that a new stream is
refused and the oldest waiting connection closed.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

KEEPALIVE = 15.0  # seconds between SSE comments, so proxies and browsers keep the stream open
IDLE = 30.0  # seconds a connection may wait without sending its request
MAX_STREAMS = 100
MAX_WAITING = 256
MAX_BUFFER = 1 << 20  # bytes of events a stream may fall behind before it is dropped
MAX_HEAD = 1 << 16  # bytes of a request line and headers

# epoch -> (newest epoch, merged event or None), without waiting
EventsSince = Callable[[int], "tuple[int, dict | None]"]


@dataclass(eq=False)
class _Stream:
    sock: socket.socket
    epoch: int
    out: bytearray = field(default_factory=bytearray)


@dataclass(eq=False)
class _Waiting:
    sock: socket.socket
    ready: Callable[[socket.socket, bytes], object]
    since: float
    head: bytearray = field(default_factory=bytearray)


class Connections:
    """The selector thread for waiting connections and live-reload streams (see the module docstring)."""

    def __init__(
        self,
        events_since: EventsSince,
        *,
        keepalive: float = KEEPALIVE,
        idle: float = IDLE,
        max_streams: int = MAX_STREAMS,
        max_waiting: int = MAX_WAITING,
    ):
        self.events_since = events_since
        self.keepalive, self.idle = keepalive, idle
        self.max_streams, self.max_waiting = max_streams, max_waiting
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._lock = threading.Lock()
        self._incoming: list[_Stream | _Waiting] = []
        self._streams: dict[socket.socket, _Stream] = {}
        self._waiting: dict[socket.socket, _Waiting] = {}  # oldest first
        self._stopping = False
        self._built = False  # a build finished since the streams were last brought up to date
        self._thread = threading.Thread(target=self._run, name="connections", daemon=True)
        self._thread.start()

    @property
    def counts(self) -> tuple[int, int]:
        """(open streams, waiting connections)."""
        with self._lock:
            return len(self._streams), len(self._waiting)

    def wait_for_request(
        self, sock: socket.socket, ready: Callable[[socket.socket, bytes], object]
    ) -> None:
        """Hold `sock` until its request head has arrived, then call `ready(sock, head)` on this module's
        thread."""
        self._add(_Waiting(sock, ready, time.monotonic()))

    def adopt(self, sock: socket.socket, epoch: int, head: bytes) -> bool:
        """Take over a live-reload stream whose request was read: send `head`, then every build newer than
        `epoch`. False (the caller answers) when `max_streams` are open."""
        with self._lock:
            held = len(self._streams) + sum(isinstance(i, _Stream) for i in self._incoming)
            if self._stopping or held >= self.max_streams:
                return False
        self._add(_Stream(sock, epoch, bytearray(head)))
        return True

    def notify_build(self) -> None:
        """A build finished: write its event to the streams now."""
        with self._lock:
            self._built = True
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full: a wake is already pending
            self._wake_w.send(b"x")

    def close(self) -> None:
        """Stop the thread and close every socket it holds."""
        with self._lock:
            self._stopping = True
        self._wake()
        if self._thread is not threading.current_thread():
            self._thread.join()
        with self._lock:
            leftover = [*self._incoming, *self._streams.values(), *self._waiting.values()]
            self._incoming, self._streams, self._waiting = [], {}, {}
        for item in leftover:
            _close(item.sock)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def _add(self, item: _Stream | _Waiting) -> None:
        with self._lock:
            accepted = not self._stopping
            if accepted:
                self._incoming.append(item)
        if not accepted:
            _close(item.sock)
            return
        self._wake()

    def _run(self) -> None:
        beat = sweep = time.monotonic()
        while True:
            ready = self._selector.select(timeout=min(self.keepalive, self.idle, 1.0))
            with self._lock:
                if self._stopping:
                    return
                incoming, self._incoming = self._incoming, []
                built, self._built = self._built, False
            for item in incoming:
                self._register(item)
            for key, mask in ready:
                if key.data is None:
                    with contextlib.suppress(OSError):
                        while self._wake_r.recv(4096):
                            pass
                elif isinstance(key.data, _Waiting):
                    self._receive(key.data)
                elif key.data.sock in self._streams:
                    self._service(key.data, mask)
            now = time.monotonic()
            if now - sweep >= 1.0:
                sweep = now
                for waiting in [w for w in self._waiting.values() if now - w.since > self.idle]:
                    self._drop(waiting)
            beat_due = now - beat >= self.keepalive
            if beat_due:
                beat = now
            # streams are brought up to date after a build, a keep-alive period, or when they arrive
            due = (
                self._streams.values()
                if built or beat_due
                else [i for i in incoming if isinstance(i, _Stream) and i.sock in self._streams]
            )
            for stream in list(due):
                epoch, event = self.events_since(stream.epoch)
                if event is not None:
                    stream.epoch = epoch
                    stream.out += b"event: build\ndata: " + json.dumps(event).encode() + b"\n\n"
                elif beat_due:
                    stream.out += b": keep-alive\n\n"
                if stream.out:
                    self._flush(stream)

    def _register(self, item: _Stream | _Waiting) -> None:
        try:
            item.sock.setblocking(False)
            self._selector.register(item.sock, selectors.EVENT_READ, item)
        except (OSError, ValueError):
            _close(item.sock)
            return
        oldest = None
        with self._lock:
            if isinstance(item, _Stream):
                self._streams[item.sock] = item
            else:
                self._waiting[item.sock] = item
                if len(self._waiting) > self.max_waiting:
                    oldest = next(iter(self._waiting.values()))
        if oldest is not None:
            self._drop(oldest)

    def _receive(self, waiting: _Waiting) -> None:
        try:
            data = waiting.sock.recv(MAX_HEAD)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        waiting.head += data
        whole = b"\r\n\r\n" in waiting.head or b"\n\n" in waiting.head
        if not data or len(waiting.head) > MAX_HEAD:
            self._drop(waiting)
        elif whole:
            self._unregister(waiting.sock)
            with self._lock:
                self._waiting.pop(waiting.sock, None)
            try:
                waiting.sock.setblocking(True)
                waiting.ready(waiting.sock, bytes(waiting.head))
            except (OSError, RuntimeError):  # the pool is shut down: the server is stopping
                _close(waiting.sock)

    def _service(self, stream: _Stream, mask: int) -> None:
        if mask & selectors.EVENT_READ:
            try:
                data = stream.sock.recv(4096)
            except BlockingIOError:
                data = b"?"
            except OSError:
                data = b""
            if not data:  # the tab went away: free it now, not at the next event
                self._drop(stream)
                return
        if mask & selectors.EVENT_WRITE:
            self._flush(stream)

    def _flush(self, stream: _Stream) -> None:
        try:
            sent = stream.sock.send(stream.out)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._drop(stream)
            return
        del stream.out[:sent]
        if len(stream.out) > MAX_BUFFER:  # a tab that stopped reading
            self._drop(stream)
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if stream.out else 0)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.modify(stream.sock, events, stream)

    def _drop(self, item: _Stream | _Waiting) -> None:
        self._unregister(item.sock)
        with self._lock:
            self._streams.pop(item.sock, None)
            self._waiting.pop(item.sock, None)
        _close(item.sock)

    def _unregister(self, sock: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
