"""`site-builder serve`: build in memory, serve on localhost, rebuild on every change, reload the browser.

A content error is printed in the terminal and shown in the browser as an
overlay naming file, line and message, while the last good build stays
served. Pages get one extra script, from this server's own origin, that
listens for rebuilds (Server-Sent Events); nothing of it reaches a real build.
"""

from __future__ import annotations

import ctypes
import json
import mimetypes
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import ChainMap
from collections.abc import Callable, Collection, Mapping, MutableMapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import unquote, urlsplit

from .bodies import rebuild_bodies
from .build import BuildResult, Previous, compile_site
from .diagnostics import Diagnostic, Diagnostics
from .document_checks import DocumentChecks
from .incremental import OutputFolder
from .last_output import last_output
from .markdown import MarkdownRenderer
from .output import OutputFiles, stored_items
from .parallel import refuse_in_a_starting_process
from .search import search_index
from .search_cache import SEARCH_CACHE, SpooledBundles

if TYPE_CHECKING:
    from .opendata.exports import RecordItems

RELOAD_SCRIPT_PATH = "/__serve__/reload.js"
SEARCH_FOLDER = "search"
"""The spool folder that holds the search index's bundles (the others hold a rebuild's pages)."""
_RELOAD_TAG = f'<script src="{RELOAD_SCRIPT_PATH}"></script>'.encode()

RELOAD_SCRIPT = """\
(function () {
  "use strict";
  function showErrors(errors) {
    var old = document.getElementById("site-builder-errors");
    if (old) { old.remove(); }
    if (!errors.length) { return; }
    var box = document.createElement("div");
    box.id = "site-builder-errors";
    box.setAttribute("role", "alert");
    var s = box.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = "rgba(20, 20, 20, 0.94)"; s.color = "#fff"; s.padding = "2rem";
    s.font = "15px/1.5 ui-monospace, monospace";
    var heading = document.createElement("h2");
    heading.textContent = "site-builder: the last change has errors; showing the last good build";
    box.appendChild(heading);
    var list = document.createElement("ul");
    errors.forEach(function (e) {
      var item = document.createElement("li");
      item.textContent = e.path + ":" + e.line + ":" + e.column + ": " + e.message + (e.hint ? " (" + e.hint + ")" : "");
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }
  function check(reload) {
    fetch("/__serve__/errors").then(function (r) { return r.json(); }).then(function (data) {
      if (data.errors.length) { showErrors(data.errors); } else if (reload) { location.reload(); } else { showErrors([]); }
    });
  }
  var events = new EventSource("/__serve__/events");
  var seen = null;
  events.addEventListener("build", function (event) {
    if (seen !== null && event.data !== seen) { check(true); }
    seen = event.data;
  });
  check(false);
})();
"""


class DevServer:
    """The last good build in memory, the current errors, and a counter that rises with every rebuild."""

    def __init__(self, config_path: Path, log: Callable[[str], None], jobs: int = 1) -> None:
        self.config_path = config_path
        self.log = log
        self.jobs = jobs
        self.markdown = MarkdownRenderer()
        """Kept from build to build: an edit converts only the Markdown texts it changed."""
        self.files: ChainMap[str, bytes] = _served({}, {})
        """What the server serves: the search index (its first map) in front of the last good build, whose
        pages are read from disk when asked for (and get the reload script as they are sent)."""
        self.spool = Path(tempfile.mkdtemp(prefix="site-builder-serve-"))
        """The pages each rebuild renders, in a folder of their own (see render.py); removed by `stop`."""
        self._rebuilds = 0
        self.checks = DocumentChecks()
        """Each content file's checks, kept from build to build: an edit checks only the files it changed."""
        self.record_items: RecordItems = {}
        """Each document's open-data record, kept from build to build: a rebuild encodes only the changed ones."""
        self.previous: Previous | None = None
        """The last good build as it was made, so a rebuild renders only what a change touches."""
        self.last: BuildResult | None = None
        """The last good build with the site it was made from, for an edit of bodies alone (bodies.py)."""
        self.links: Path | None = None
        """The folder of links to the output of the last `build`, when the first build started from it
        (see last_output.py); removed when no longer served, or by `stop`."""
        self.errors: list[Diagnostic] = []
        self.generation = 0
        self.changed = threading.Condition()
        self.search_bundles = SpooledBundles(self.spool / SEARCH_FOLDER, config_path.resolve().parent / SEARCH_CACHE)
        """The bundles of the search index served (see search_cache.py)."""
        self._search = _SearchIndexer(self)

    def start(self) -> bool:
        """The first build: from the output of the last `build` if that is intact (only what changed since
        is rendered, and if the content now has errors, that output is served with them), else of every
        page; True if it is good."""
        found = last_output(self.config_path)
        if found is not None:
            self.log(f"Starting from the last build, in {found.out_dir}.")
            self.previous, self.links = found.previous, found.links
            self.markdown = MarkdownRenderer(found.markdown)
            self.files = _served({}, OutputFiles.taking(stored_items(found.previous.files)))
            # Rendering little, the first build may draw no chart, and the first edit that draws one then
            # imported Altair: a quarter of a second more than the edits after it (0.9 s against 0.5).
            threading.Thread(target=_load_chart_library, name="chart-library", daemon=True).start()
        return self.rebuild()

    def rebuild(self, changed: Collection[Path] = ()) -> bool:
        """Build again after the files `changed` changed (unknown if empty); True if the build is good."""
        started = time.perf_counter()
        diagnostics = Diagnostics()
        result = None
        self._rebuilds += 1
        spool = self.spool / str(self._rebuilds)
        if changed and self.last is not None and self.previous is not None and not self.errors:
            result = rebuild_bodies(
                self.last, self.previous, changed, diagnostics, self.jobs, self.markdown, self.checks, spool,
                record_items=self.record_items,
            )  # fmt: skip
        if result is None:
            diagnostics = Diagnostics()
            result = compile_site(
                self.config_path,
                diagnostics,
                search=False,
                jobs=self.jobs,
                markdown=self.markdown,
                previous=self.previous,
                checks=self.checks,
                spool=spool,
                record_items=self.record_items,
            )
        with self.changed:
            if result is not None:
                # Pages are files in the spool, drawn charts files in the chart cache: nothing large is copied.
                # One map of every file, not a rebuild's files in front of the last one's, and so on.
                files = OutputFiles.taking(stored_items(result.files))
                self.files = _served(self.files.maps[0], files)
                # The record of each file written, a copy for each build: the search index of an older
                # build may still be made from it while this one is served.
                kept = self.previous.written if self.previous is not None and result.made is not None else {}
                self.previous = Previous(result.state, files, result.unowned, {**kept, **result.spooled})
                self.last = result
                self.errors = []
            else:
                self.errors = diagnostics.sorted()
            self.generation += 1
            self.changed.notify_all()
        if result is None or result.made is None:
            self._remove_unused_pages()
        if result is not None and result.made is None and self.previous is not None:
            self.previous.files_of_no_page()  # now, once, rather than in the next edit's second
        if result is None:
            for diagnostic in self.errors:
                self.log(str(diagnostic))
            self.log(f"{len(self.errors)} problem(s); still serving the last good build.")
            return False
        made_count = len(result.files) if result.made is None else len(result.made)
        self.log(f"Built {made_count} of {len(result.files)} files in {time.perf_counter() - started:.2f} s.")
        self._search.refresh()
        return True

    def stop(self, wait: bool = True) -> None:
        """Stop the search index and remove the folders of pages and links; with `wait=False`, by a process
        of its own that goes on after this one ends: at 10,000 documents they hold hundreds of thousands of
        files, and removing them took 20 to 40 s after Ctrl-C."""
        self._search.stop()
        folders = [self.spool, *([self.links] if self.links is not None else [])]
        if not wait and _removed_in_background(folders):
            return
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    def _remove_unused_pages(self) -> None:
        """Remove the spool folders of earlier rebuilds that neither the server nor the search index uses.

        Only after a rebuild that rendered every page: one that rendered a few keeps the others where an
        earlier rebuild wrote them (and leaves a few stale pages behind, until `stop`)."""
        used: set[Path] = set()
        for files in (self.previous.files if self.previous else None, self._search.reading):
            if isinstance(files, (OutputFiles, OutputFolder)):
                used |= files.folders()
        for folder in self.spool.iterdir():
            if folder not in used and folder != self.search_bundles.folder:
                shutil.rmtree(folder, ignore_errors=True)
        if self.links is not None and self.links not in used:
            shutil.rmtree(self.links, ignore_errors=True)
            self.links = None

    def wait_for_search_index(self, timeout: float | None = None) -> bool:
        """Wait until the search index of the last good build is served."""
        return self._search.wait_idle(timeout)

    def take_search_index(self, index: Mapping[str, bytes]) -> None:
        """Serve a new search index (made in the background) in place of the old one; the bundles only the
        old one used are removed."""
        with self.changed:
            self.files = _served(index, self.files.maps[1])
        self.search_bundles.remove_unused()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen, timeout=timeout)
            return self.generation


def _served(index: Mapping[str, bytes], build: Mapping[str, bytes]) -> ChainMap[str, bytes]:
    """The search index in front of the build, not merged into a copy of hundreds of thousands of files.
    (ChainMap writes only to its first map, and these are read, never written.)"""
    return ChainMap(cast("MutableMapping[str, bytes]", index), cast("MutableMapping[str, bytes]", build))


_REMOVE = "import shutil, sys\nfor folder in sys.argv[1:]:\n    shutil.rmtree(folder, ignore_errors=True)\n"


def _load_chart_library() -> None:
    import altair  # noqa: F401  (charts.py uses it once imported)


def _removed_in_background(folders: list[Path]) -> bool:
    """Start removing `folders` in a process of its own session (a second Ctrl-C does not reach it);
    False if it could not be started."""
    try:
        subprocess.Popen(
            [sys.executable, "-c", _REMOVE, *map(str, folders)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except OSError:
        return False
    return True


def _release_freed_memory() -> None:
    """Give the memory that C's allocator keeps free after a build back to the system, where it is glibc's
    (10,000 documents: 0.11 GB of 1.25 after the first build), before the search index adds its own
    memory and Pagefind's."""
    if sys.platform.startswith("linux"):
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # not in other C libraries (musl)
        if trim is not None:
            trim(0)


class _SearchIndexer:
    """Makes the search index after each rebuild, in the background: Pagefind reads every page, which
    takes seconds on a large site, and an edit should reach the browser at once."""

    def __init__(self, server: DevServer) -> None:
        self.server = server
        self.wanted = threading.Event()
        self.stopping = threading.Event()
        self.idle = threading.Event()
        """Set while no index is being made or waiting to be."""
        self.idle.set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.reading: Mapping[str, bytes] | None = None
        """The files being indexed, whose spooled pages must stay (see DevServer._remove_unused_pages)."""

    def refresh(self) -> None:
        with self.lock:
            self.idle.clear()
            self.wanted.set()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="search-index", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            with self.lock:  # no refresh between seeing nothing wanted and saying so
                if not self.wanted.is_set():
                    self.idle.set()
            self.wanted.wait()
            self.wanted.clear()
            if not self.stopping.is_set():
                # In a call of its own, so that nothing of this build is held while waiting for the next.
                self._index()

    def _index(self) -> None:
        previous = self.server.previous
        if previous is None:
            return
        diagnostics = Diagnostics()
        self.reading = previous.files
        _release_freed_memory()
        try:
            index = search_index(previous.files, diagnostics, stored=self.server.search_bundles,
                                 flags=previous.state.flags, written=previous.written)  # fmt: skip
        except Exception as exc:  # the server must go on serving pages
            if not self.stopping.is_set():
                self.server.log(f"warning: the search index was not updated: {type(exc).__name__}: {exc}")
            return
        finally:
            self.reading = None
        for diagnostic in diagnostics.sorted():
            self.server.log(str(diagnostic))
        if not self.wanted.is_set():  # a newer build's index is on its way
            self.server.take_search_index(index)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until the latest build's index is served; False if `timeout` passed first."""
        return self.idle.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Let a running Pagefind finish (it cleans up its temporary folder), for a clean exit."""
        self.stopping.set()
        self.wanted.set()
        if self.thread is not None:
            self.thread.join(timeout)


def inject_reload(path: str, data: bytes) -> bytes:
    """Add the reload script to an HTML page, just before </body>."""
    if not path.endswith(".html") or b"</body>" not in data:
        return data
    head, _, tail = data.rpartition(b"</body>")
    return head + _RELOAD_TAG + b"\n</body>" + tail


def _handler(server_state: DevServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path == RELOAD_SCRIPT_PATH:
                self._send(HTTPStatus.OK, RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
            elif path == "/__serve__/errors":
                errors = [
                    {"path": d.path, "line": d.line, "column": d.column, "message": d.message, "hint": d.hint}
                    for d in server_state.errors
                ]
                self._send(HTTPStatus.OK, json.dumps({"errors": errors}).encode(), "application/json")
            elif path == "/__serve__/events":
                self._events()
            else:
                self._file(path)

        def _file(self, path: str) -> None:
            relative = path.lstrip("/")
            if relative == "" or relative.endswith("/"):
                relative += "index.html"
            files = server_state.files
            if relative not in files and f"{relative}/index.html" in files:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            try:
                data = files.get(relative)
            except OSError:  # the chart cache was cleared under the server
                data = None
            if data is None:
                self._send(HTTPStatus.NOT_FOUND, b"Not found", "text/plain; charset=utf-8")
                return
            data = inject_reload(relative, data)
            content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type in ("application/json", "application/ld+json"):
                content_type += "; charset=utf-8"
            self._send(HTTPStatus.OK, data, content_type)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while True:
                    current = server_state.wait_for_change(seen, timeout=15)
                    if current != seen:
                        self.wfile.write(f"event: build\ndata: {current}\n\n".encode())
                        seen = current
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def serve(config_path: Path, port: int, host: str = "127.0.0.1", jobs: int = 1) -> int:
    """Serve until Ctrl-C, rendering with up to `jobs` processes; returns the exit code."""
    refuse_in_a_starting_process()

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    state = DevServer(config_path, log, jobs)
    # SIGTERM (from `kill`, a process manager or an editor's task runner) stops serve as Ctrl-C does: by
    # default it ended the process at once, and the spool was left in the temporary folder for good
    # (hundreds of thousands of files at 10,000 documents).
    terminated = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _serve(state, config_path, host, port, log)
    finally:
        state.stop(wait=False)
        signal.signal(signal.SIGTERM, terminated)


def _interrupt(signal_number: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(state: DevServer, config_path: Path, host: str, port: int, log: Callable[[str], None]) -> int:
    import watchfiles

    state.start()
    root = config_path.resolve().parent
    try:
        httpd = ThreadingHTTPServer((host, port), _handler(state))
    except OSError as exc:
        log(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}")
        return 2
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name="http", daemon=True).start()
    log(f"Serving on http://{host}:{httpd.server_address[1]}/  (Ctrl-C to stop)")
    stop = threading.Event()
    watched = [
        p
        for p in (root / "content", root / "data", root / "themes", root / "files", config_path.resolve())
        if p.exists()
    ]
    try:
        for changes in watchfiles.watch(*watched, stop_event=stop, debounce=200, step=50, raise_interrupt=True):
            state.rebuild({Path(path) for _, path in changes})
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
    log("Stopped.")
    return 0
