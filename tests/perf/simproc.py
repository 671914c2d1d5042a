"""The simulator in its own process, as a vendor is on its own machine: the sync and the
download baseline must not share a GIL with the server. Every vendor request is recorded
(method, URL, headers, body) so the baseline can fetch exactly what the sync fetched.

Run as `python simproc.py '<json SimConfig overrides>'`: prints one JSON line with the
port and credentials, serves until killed. `GET /_perf/log` returns and clears the log."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

from inbox_app.simulator import SimConfig, Simulator, serve_in_thread

Scope = dict[str, Any]


def recording(app: Any, log: list[dict[str, Any]]) -> Any:
    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["path"] == "/_perf/log":
            body = json.dumps(log).encode()
            log.clear()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        chunks: list[bytes] = []

        async def tapped() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        entry = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode("latin-1"),
            "headers": [
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, v in scope["headers"]
                if k.lower() not in (b"host", b"content-length", b"connection")
            ],
        }
        try:
            await app(scope, tapped, send)
        finally:
            if not scope["path"].startswith("/_sim"):
                entry["body"] = b"".join(chunks).decode("latin-1")
                log.append(entry)

    return wrapped


def main() -> None:
    overrides = json.loads(sys.argv[1])
    size = overrides.pop("size", "large")
    sim = Simulator(SimConfig.for_size(size, **overrides))
    log: list[dict[str, Any]] = []
    sim.app = recording(sim.app, log)
    with serve_in_thread(sim) as running:
        print(json.dumps({"port": running.port, "credentials": sim.credentials}), flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
