"""Spread independent work (pages, Markdown texts, link checks) over processes; results in a fixed order.

Workers are forked, so they start with everything the parent has built (the site model, the theme, the
open data) without copying or pickling it; only each item's result travels back, through a pipe. Results
are put back in the order of the items, so a build with many jobs writes exactly the bytes of a build
with one. Where `fork` does not exist (Windows) or one job is asked for, the work runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_JOB = 50
"""Below this many items per worker, forking costs more than it saves."""


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


def refuse_in_a_starting_process() -> None:
    """Raise if this process is one that multiprocessing is starting afresh ("spawn", as the chart drawing
    processes are) and is running the main script again: a script that calls build() without the
    `if __name__ == "__main__":` guard. Its build would share the output's staging folder with the real one;
    failing at once lets the real build see the drawing process stop (see ChartImages.draw_ahead)."""
    process = sys.modules.get("multiprocessing.process")  # not imported: no process is being started
    if process is not None and getattr(process.current_process(), "_inheriting", False):
        raise RuntimeError(
            'site_builder: a script that builds a site must call build() under `if __name__ == "__main__":`, '
            "as processes that draw charts run the script again"
        )


def workers_for(items: int, jobs: int) -> int:
    """How many workers `items` items are worth: at most `jobs`, one if forking is not possible."""
    if not can_fork():
        return 1
    return max(1, min(jobs, items // MIN_ITEMS_PER_JOB))


class WorkerFailed(RuntimeError):
    """A worker raised an exception; the message holds its traceback."""


def map_items(work: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """`[work(item) for item in items]`, spread over up to `jobs` forked workers."""
    return map_interleaved(lambda: items, work, jobs, len(items))


def map_interleaved(make: Callable[[], Iterable[T]], work: Callable[[T], R], jobs: int, estimate: int) -> list[R]:
    """`[work(item) for item in make()]`, spread over up to `jobs` forked workers.

    Each worker calls `make()` itself and does the work for the items it claims (see `_Claims`), so `make`
    must yield the same items in the same order every time and be cheap next to `work` (e.g. a generator
    of page contexts, whose rendering is the expensive part). `estimate` (about how many items there are)
    decides whether forking is worth it, and how many items a worker claims at a time. Put the slowest
    items first: a worker that draws one near the end ends after the others.
    """
    running = start_interleaved(make, work, jobs, estimate)
    try:
        return running.results()
    finally:
        running.stop()


def start_interleaved(
    make: Callable[[], Iterable[T]], work: Callable[[T], R], jobs: int, estimate: int
) -> Interleaved[R]:
    """`map_interleaved`, whose workers go on while this process does something else; its `results()`
    wait for them. With one worker the work is done here, at once."""
    workers = workers_for(estimate, jobs)
    if workers == 1:
        return Interleaved([work(item) for item in make()])
    try:
        claims = _Claims(estimate, workers)
    except OSError:  # no temporary file to count the claims in (a full or read-only /tmp): no workers
        return Interleaved([work(item) for item in make()])
    running: Interleaved[R] = Interleaved(None)
    running.claims = claims
    # The cycle collector in a worker would visit (and so copy) every object inherited from the parent;
    # frozen objects are left alone, and the parent's collector carries on after the workers.
    gc.freeze()
    running.frozen = True
    try:
        for _ in range(workers):
            read_end, write_end = os.pipe()
            _widen(write_end)
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child, which never returns
                os.close(read_end)
                _child(make, work, running.claims, write_end)
            os.close(write_end)
            running.children.append(pid)
            reader = threading.Thread(target=_read_results, args=(read_end, running), daemon=True)
            reader.start()
            running.readers.append(reader)
    except BaseException:
        running.stop()
        raise
    return running


def _widen(pipe: int) -> None:
    """Let the pipe hold a megabyte (Linux's limit for anyone), not 64 KB: a worker's results for 1,000 pages,
    so it need not wait for this process's reader, which on a busy machine may not run for a while."""
    with contextlib.suppress(OSError, AttributeError, ImportError):  # not on Linux, or at a lower limit
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, 1 << 20)


class Interleaved(Generic[R]):
    """The work `start_interleaved` started."""

    def __init__(self, done: list[R] | None) -> None:
        self._done = done
        self.results_by_index: dict[int, R] = {}
        self.counts: list[int] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.children: list[int] = []
        self.readers: list[threading.Thread] = []
        self.frozen = False
        self.claims: _Claims | None = None

    def results(self) -> list[R]:
        """Every item's result, in the items' order, once the workers are done; raises WorkerFailed if one
        failed or stopped early."""
        if self._done is not None:
            return self._done
        for reader in self.readers:
            reader.join()
        workers = len(self.children)
        statuses = [os.waitpid(pid, 0)[1] for pid in self.children]
        self.children = []
        self._thaw()
        if self.failures:
            raise WorkerFailed(self.failures[0])
        counts, results = self.counts, self.results_by_index
        total = counts[0] if counts and len(set(counts)) == 1 and len(counts) == workers else -1
        if any(os.waitstatus_to_exitcode(status) != 0 for status in statuses) or len(results) != total:
            raise WorkerFailed(f"a build worker stopped early or saw other items ({len(results)} results)")
        self._done = [results[index] for index in range(total)]
        return self._done

    def stop(self) -> None:
        """Stop every worker still running (when interrupted, e.g. by Ctrl-C, or when the results are not
        wanted any more)."""
        self._thaw()
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        self.children = []

    def _thaw(self) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False
        if self.claims is not None:
            self.claims.close()
            self.claims = None


class _Claims:
    """The items the workers of one run have claimed, in the items' order: a count in a temporary file
    that each worker, holding the file's lock, reads and moves on. A worker claims more when it is done
    with its last, so one that drew quicker items does more of them (with a fixed share, one worker
    could end a tenth of a second after the other). A lock of a process that dies is let go.

    Claims shrink as the items run out, as in guided self-scheduling: few claims, and at the end single
    items, so the workers end close together."""

    def __init__(self, estimate: int, workers: int) -> None:
        # Open while the workers run (they inherit it); closed by `close`, once they are done.
        self._file = tempfile.TemporaryFile(prefix="site-builder-claims-")  # noqa: SIM115
        self._file.write(bytes(8))
        self._file.flush()
        self._estimate = estimate
        self._workers = workers

    def claim(self) -> range:
        """The next items (by index) for this worker."""
        import fcntl  # not on Windows, where nothing is forked

        descriptor = self._file.fileno()
        fcntl.lockf(descriptor, fcntl.LOCK_EX)
        try:
            first = int.from_bytes(os.pread(descriptor, 8, 0), "little")
            size = max(1, (self._estimate - first) // (2 * self._workers))
            os.pwrite(descriptor, (first + size).to_bytes(8, "little"), 0)
        finally:
            fcntl.lockf(descriptor, fcntl.LOCK_UN)
        return range(first, first + size)

    def close(self) -> None:
        self._file.close()


_FAILED = -1
_DONE = -2


def _child(make: Callable[[], Iterable[T]], work: Callable[[T], R], claims: _Claims, fd: int) -> None:
    """Send (index, result) for the items this worker claims, then (_DONE, items seen) or (_FAILED,
    traceback)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        out = os.fdopen(fd, "wb")
        try:
            seen = 0
            claimed = claims.claim()
            for index, item in enumerate(make()):
                seen = index + 1
                if index >= claimed.stop:
                    claimed = claims.claim()
                if index in claimed:
                    pickle.dump((index, work(item)), out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump((_DONE, seen), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        except BaseException:
            with contextlib.suppress(BaseException):
                pickle.dump((_FAILED, traceback.format_exc()), out, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            with contextlib.suppress(BaseException):
                out.close()
    finally:
        # Never return into the parent's code; no atexit handlers, no flushing of the parent's buffers.
        os._exit(code)


def _read_results(fd: int, running: Interleaved[Any]) -> None:
    with os.fdopen(fd, "rb") as source:
        while True:
            try:
                index, value = pickle.load(source)
            except EOFError:
                return
            with running.lock:
                if index == _FAILED:
                    running.failures.append(str(value))
                elif index == _DONE:
                    running.counts.append(int(value))
                else:
                    running.results_by_index[index] = value


def in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Start `work` (for its effect, e.g. a file written) in a forked process while this one goes on; the
    function returned waits for it to end. Without `fork`, `work` is done at once."""
    if not can_fork():
        work()
        return lambda: None
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            gc.disable()  # a short life: collecting would only copy the parent's memory
            work()
            code = 0
        finally:
            os._exit(code)

    def wait() -> None:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)

    return wait


class Ahead(Generic[T, R]):
    """`work(item)` for `items`, one after the other in a forked process, while this process does other
    things (a `with` block); `done` holds the results finished by the end of the block, by index.

    For work that may be done ahead or not at all: at the end of the block the worker is stopped, and
    whatever it did not finish is simply not in `done` (the caller does it later, as it would have). So
    the second core, idle while this process works alone, takes over part of what comes next. A result
    cut short by the stop is dropped whole. Without `fork`, nothing is done ahead.
    """

    def __init__(self, work: Callable[[T], R], items: Sequence[T]) -> None:
        self.done: dict[int, R] = {}
        self._work = work
        self._items = items
        self._pid: int | None = None
        self._results: IO[bytes] | None = None

    def __enter__(self) -> Ahead[T, R]:
        if not can_fork() or not self._items:
            return self
        # A file, not a pipe: this process reads the results only at the end, so the worker never waits
        # for it (a thread reading a pipe here would wait for this process's lock at every result).
        try:
            self._results = tempfile.TemporaryFile(prefix="site-builder-ahead-")
        except OSError:  # nowhere to put the results (a full or read-only /tmp): nothing is done ahead
            return self
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            _ahead_child(self._work, self._items, self._results)
        self._pid = pid
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pid is None or self._results is None:
            return
        with contextlib.suppress(OSError):
            os.kill(self._pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self._pid, 0)
        with self._results as results:
            results.seek(0)
            while True:
                try:
                    index, value = pickle.load(results)
                except Exception:  # the end, or a result cut short by the stop
                    break
                self.done[index] = value
        self._pid = self._results = None


def _ahead_child(work: Callable[[T], R], items: Sequence[T], results: IO[bytes]) -> None:
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        gc.disable()  # a short life: collecting would only copy the parent's memory
        for index, item in enumerate(items):
            pickle.dump((index, work(item)), results, protocol=pickle.HIGHEST_PROTOCOL)
            results.flush()
        code = 0
    finally:
        os._exit(code)
