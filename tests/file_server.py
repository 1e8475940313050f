"""A throwaway HTTP server for tests: serves firmware images, records what is uploaded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Upload:
    method: str
    path: str
    content_type: str
    body: bytes


@dataclass
class Files:
    """`files` maps a path ("/fw.bin") to its bytes; `uploads` lists what came in."""

    port: int = 0
    files: dict[str, bytes] = field(default_factory=dict)
    uploads: list[Upload] = field(default_factory=list)
    gets: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def file_server() -> Iterator[Files]:
    state = Files()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.gets.append(self.path)
            data = state.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _receive(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            state.uploads.append(Upload(self.command, self.path,
                                        self.headers.get("Content-Type", ""),
                                        self.rfile.read(size)))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PUT = _receive
        do_POST = _receive

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as state.port:
        yield state


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """`handler` answering on an ephemeral port of 127.0.0.1 (yielded) in a thread, until the
    block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
