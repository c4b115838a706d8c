"""Interrupts: SIGINT and SIGTERM end a command within seconds, leaving no staging folder or worker.

- :func:`stop_on_signals` is the context the command line wraps every long command in. Inside
  it, SIGINT and SIGTERM raise :class:`Interrupted` (a ``KeyboardInterrupt``) in the main
  thread, so ``finally`` blocks remove staging folders and executors kill their workers; the
  command then exits with ``128 + signal`` (130, 143). The first signal also arms a deadline:
  if the process is still running :data:`GRACE_S` seconds later (a write that may not be cut,
  a library that hangs), or when a second signal comes, a watchdog thread removes the folders
  registered with :func:`remove_if_abandoned` and ends the process with ``os._exit``. The
  watchdog learns of signals through :func:`signal.set_wakeup_fd`, which the C-level handler
  writes to at once even while the main thread is busy in C code. An interrupt raised where
  Python cannot pass it on (a finalizer, an at-fork callback) is delivered again.
- :func:`signals_deferred` holds signals for a block that must not be cut midway and raises the
  held one when the block ends. netCDF input and output run inside it: an exception between
  two of xarray's lock acquisitions leaves a lock held, and closing the file then hangs.
- :func:`die_with_parent` is for worker processes: they end when their parent ends, however it
  ends (SIGKILL included). On Linux the kernel sends them SIGKILL (``prctl(PR_SET_PDEATHSIG)``);
  everywhere a daemon thread also polls ``os.getppid()`` and exits when the parent has gone
  (the process was re-parented), which covers other systems and any parent-thread subtlety of
  the prctl. Workers also ignore SIGINT: a Ctrl-C reaches the whole process group, and the
  parent alone decides what stops. They start with both signals held
  (:func:`starting_workers`) until they ignore SIGINT.
"""

from __future__ import annotations

import _thread
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
GRACE_S = 3.0
"""Seconds a command has, after the first signal, to end by itself."""
PARENT_POLL_S = 0.5
REDELIVER_S = 0.01
_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)

    @property
    def name(self) -> str:
        """SIGINT or SIGTERM."""
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        """The shell convention: 128 + the signal number (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum


class _State:
    def __init__(self) -> None:
        self.active = False
        self.deferring = 0
        self.pending: int | None = None
        self.redelivered = 0
        self.abandon: list[Path] = []


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.deferring:
        _state.pending = _state.pending or signum
        return
    raise Interrupted(signum)


def _redeliver(hook: Any) -> Callable[[Any], None]:
    """An unraisable-exception hook: an :class:`Interrupted` raised where Python cannot pass it
    on (a finalizer, an at-fork callback) is delivered again instead of printed and lost."""

    def unraisable(details: Any) -> None:
        if isinstance(details.exc_value, Interrupted) and _state.active:
            # from another thread, a moment later: delivered now, it would be raised inside
            # this hook and be lost again
            _state.redelivered += 1
            signum = signal.Signals(details.exc_value.signum)
            threading.Timer(REDELIVER_S, _thread.interrupt_main, args=(signum,)).start()
            return
        hook(details)

    return unraisable


def _abandon(signum: int) -> None:
    """End the process now: remove the registered folders, say so, exit 128 + signal."""
    for path in list(_state.abandon):
        shutil.rmtree(path, ignore_errors=True)
    name = signal.Signals(signum).name
    with contextlib.suppress(OSError):
        os.write(2, f"\ninterrupted ({name}): stopped without finishing\n".encode())
    os._exit(128 + signum)


def _watch(receiver: socket.socket) -> None:
    """Wait for a signal; then give the command GRACE_S seconds, or until a second signal."""
    with receiver:
        _wait_and_abandon(receiver)


def _wait_and_abandon(receiver: socket.socket) -> None:
    wanted = {int(s) for s in SIGNALS}
    first: int | None = None
    deadline = 0.0
    while True:
        receiver.settimeout(None if first is None else max(0.0, deadline - time.monotonic()))
        try:
            data = receiver.recv(64)
        except TimeoutError:
            assert first is not None
            _abandon(first)
            return
        except OSError:
            return
        if not data:
            return  # the command ended normally and closed the socket
        for signum in (b for b in data if b in wanted):
            if _state.redelivered:
                _state.redelivered -= 1
                continue
            if first is not None:
                _abandon(first)
            first, deadline = signum, time.monotonic() + GRACE_S


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` here; a stuck process ends after a grace."""
    if _state.active or threading.current_thread() is not threading.main_thread():
        yield
        return
    receiver, sender = socket.socketpair()
    sender.setblocking(False)
    previous = {s: signal.signal(s, _handler) for s in SIGNALS}
    previous_fd = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    previous_hook, sys.unraisablehook = sys.unraisablehook, _redeliver(sys.unraisablehook)
    watchdog = threading.Thread(target=_watch, args=(receiver,), name="interrupts", daemon=True)
    watchdog.start()
    _state.active, _state.pending = True, None
    interrupted = False
    try:
        yield
    except Interrupted:
        interrupted = True
        raise
    finally:
        _state.active = False
        sys.unraisablehook = previous_hook
        signal.set_wakeup_fd(previous_fd)
        for s, handler in previous.items():
            signal.signal(s, handler)
        if not interrupted:
            sender.close()  # the watchdog sees the end and returns
        # interrupted: the watchdog stays armed until the process ends or the grace runs out


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then raise the one that came."""
    _state.deferring += 1
    try:
        yield
    finally:
        _state.deferring -= 1
    if not _state.deferring and _state.pending is not None:
        signum, _state.pending = _state.pending, None
        raise Interrupted(signum)


@contextlib.contextmanager
def remove_if_abandoned(path: Path) -> Iterator[None]:
    """Have the watchdog remove ``path`` if it ends the process while the block runs."""
    _state.abandon.append(path)
    try:
        yield
    finally:
        _state.abandon.remove(path)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


@contextlib.contextmanager
def starting_workers() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while worker processes start: a worker then starts with them
    blocked and unblocks them in :func:`die_with_parent`, after it ignores SIGINT, so a Ctrl-C
    cannot reach a half-started worker (it would print a traceback of its own)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def die_with_parent() -> None:
    """Make this worker process end when its parent does; leave stopping to the parent."""
    parent = os.getppid()
    signal.set_wakeup_fd(-1)  # a forked worker inherits the parent's wakeup socket
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    threading.Thread(target=_watch_parent, args=(parent,), name="parent", daemon=True).start()
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)  # held by starting_workers
