"""A local stand-in for a browser's push service, for tests and benchmarks.

It listens on 127.0.0.1, holds the private key of each subscription it hands out, decrypts
every message it receives (RFC 8291, aes128gcm, with http_ece) and records it with its headers.
Each subscription can be told how to answer: a list of statuses used in turn (the last one
repeats), an optional Retry-After, and a delay before answering.
"""

import base64
import dataclasses
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclasses.dataclass
class Received:
    path: str
    headers: dict
    payload: dict | None
    status: int


@dataclasses.dataclass
class Endpoint:
    private_key: object
    auth: bytes
    statuses: list
    retry_after: str | None = None
    delay: float = 0.0


class PushService:
    def __init__(self, decrypt=True):
        """decrypt=False only counts messages (for the send-rate benchmark, where decrypting
        every message here would compete with the sender for the same CPU)."""
        self.decrypt = decrypt
        self.endpoints = {}
        self.received = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint = service.endpoints.get(self.path)
                if endpoint is None:
                    return self._answer(404)
                with service.lock:
                    status = endpoint.statuses.pop(0) if len(endpoint.statuses) > 1 else endpoint.statuses[0]
                if endpoint.delay:
                    time.sleep(endpoint.delay)
                payload = None
                if 200 <= status < 300 and service.decrypt:
                    plain = http_ece.decrypt(body, private_key=endpoint.private_key, auth_secret=endpoint.auth,
                                             version="aes128gcm")
                    payload = json.loads(plain)
                with service.lock:
                    service.received.append(Received(self.path, dict(self.headers), payload, status))
                extra = {"Retry-After": endpoint.retry_after} if endpoint.retry_after and status == 429 else {}
                self._answer(status, extra)

            def _answer(self, status, headers=None):
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def subscription(self, statuses=(201,), retry_after=None, delay=0.0):
        """A new subscription at this service: (endpoint URL, p256dh, auth) as a browser gives them."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        path = f"/push/{uuid.uuid4().hex}"
        self.endpoints[path] = Endpoint(private_key, auth, list(statuses), retry_after, delay)
        public = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.url + path, "keys": {"p256dh": b64(public), "auth": b64(auth)}}

    def delivered(self):
        with self.lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.delivered()) >= count:
                return self.delivered()
            time.sleep(0.1)
        return self.delivered()
