"""Slack's Socket Mode end, played by a real websocket server in a thread.

It greets the app with ``hello`` as Slack does, sends the envelopes a test hands it, and
records every acknowledgement the app sends back, by envelope id.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connected = threading.Event()
        self._outgoing: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._server: Server | None = None

    def start(self) -> FakeSocketMode:
        self._server = serve(self._connection, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"

    def send(self, envelope: dict[str, Any]) -> str:
        self._outgoing.put(envelope)
        return str(envelope["envelope_id"])

    def ack(self, envelope_id: str, *, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.acks:
            if time.monotonic() > deadline:
                raise AssertionError(f"no acknowledgement of envelope {envelope_id}")
            time.sleep(0.01)
        return self.acks[envelope_id]

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()

    def _connection(self, websocket: ServerConnection) -> None:
        websocket.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A111"}}))
        self.connected.set()
        while not self._stopping.is_set():
            try:
                while True:
                    websocket.send(json.dumps(self._outgoing.get_nowait()))
            except queue.Empty:
                pass
            try:
                message = websocket.recv(timeout=0.02)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            answer = json.loads(message)
            if "envelope_id" in answer:
                self.acks[answer["envelope_id"]] = answer
