"""A local stand-in for a browser's push service, for tests and benchmarks.

It listens on 127.0.0.1, holds the private key of each subscription it hands out, decrypts
every message it receives (RFC 8291, aes128gcm, with http_ece) and records it with its headers.
Each subscription can be told how to answer: a list of statuses used in turn (the last one
repeats), an optional Retry-After or Location, and a delay before answering.

Steady sends to it only with PUSH_ALLOW_LOCAL_SERVICE on (the `local_push_service` fixture).
With `tls_name` it answers https for that name instead, with a certificate from its own
authority (`ca_file`), for tests that route a push service's name here through the connect seam.
Also here: the tests' resolver and connect seam for tracker.push, and a TCP listener that
counts the connections it is offered.
"""

import base64
import dataclasses
import datetime as dt
import json
import os
import socket
import ssl
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


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
    location: str | None = None


class PushService:
    def __init__(self, decrypt=True, tls_name=None):
        """decrypt=False only counts messages (for the send-rate benchmark, where decrypting
        every message here would compete with the sender for the same CPU)."""
        self.decrypt = decrypt
        self.endpoints = {}
        self.received = []
        self.server_names = []  # the names TLS clients asked for (SNI)
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)  # notified with each message received
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # what a followed 302/303 would send
                service._receive(Received(self.path, dict(self.headers), None, 405))
                self._answer(405)

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
                service._receive(Received(self.path, dict(self.headers), payload, status))
                extra = {"Retry-After": endpoint.retry_after} if endpoint.retry_after and status == 429 else {}
                if endpoint.location and 300 <= status < 400:
                    extra["Location"] = endpoint.location
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
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        if tls_name:
            self.url = f"https://{tls_name}"
            self.ca_file, context = self._tls(tls_name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _tls(self, name):
        """A certificate for `name` from a throwaway authority: (the authority's PEM file, a server context)."""
        def certificate(subject, issuer, public_key, signing_key, ca):
            # Valid far around now: tests travel in time, OpenSSL checks against the real clock.
            builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                       .serial_number(x509.random_serial_number()).not_valid_before(dt.datetime(2000, 1, 1))
                       .not_valid_after(dt.datetime(2100, 1, 1))
                       .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
            if ca:
                builder = builder.add_extension(x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                    key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
                    critical=True)
            else:
                builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            return builder.sign(signing_key, hashes.SHA256())

        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Steady tests' push authority")])
        ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, True)
        leaf = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key.public_key(),
                           ca_key, False)
        folder = tempfile.mkdtemp(prefix="steady-push-tls-")
        ca_file, chain_file = os.path.join(folder, "ca.pem"), os.path.join(folder, "server.pem")
        with open(ca_file, "wb") as file:
            file.write(ca.public_bytes(serialization.Encoding.PEM))
        with open(chain_file, "wb") as file:
            file.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()))
            file.write(leaf.public_bytes(serialization.Encoding.PEM))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain_file)
        context.sni_callback = lambda sock, server_name, ctx: self.server_names.append(server_name)
        return ca_file, context

    def subscription(self, statuses=(201,), retry_after=None, delay=0.0, location=None):
        """A new subscription at this service: (endpoint URL, p256dh, auth) as a browser gives them."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        path = f"/push/{uuid.uuid4().hex}"
        self.endpoints[path] = Endpoint(private_key, auth, list(statuses), retry_after, delay, location)
        public = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.url + path, "keys": {"p256dh": b64(public), "auth": b64(auth)}}

    def _receive(self, received):
        with self.arrived:
            self.received.append(received)
            self.arrived.notify_all()

    def _delivered(self):  # the caller holds the lock
        return [r for r in self.received if 200 <= r.status < 300]

    def delivered(self):
        with self.lock:
            return self._delivered()

    def wait_for(self, count, timeout=30):
        """The delivered messages once there are at least `count`, woken by each arrival; fails
        after `timeout` seconds."""
        with self.arrived:
            if self.arrived.wait_for(lambda: len(self._delivered()) >= count, timeout):
                return self._delivered()
            got = len(self._delivered())
        raise AssertionError(f"the push service received {got} messages in {timeout} s, expected {count}")


class Resolver:
    """The tests' DNS for tracker.push: an address answers for itself, localhost is 127.0.0.1,
    a name answers what the test put in `names` (a list of addresses, or a list of such lists
    used in turn); any other name fails, so no test asks a real DNS server."""

    def __init__(self):
        self.names = {}
        self.calls = []

    def __call__(self, host):
        self.calls.append(host)
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
            return [host]
        except OSError:
            pass
        if host == "localhost":
            return ["127.0.0.1"]
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not known to the tests' resolver")
        answer = self.names[host]
        if answer and isinstance(answer[0], list):
            return answer.pop(0) if len(answer) > 1 else answer[0]
        return answer


class Connections:
    """The tests' connect seam for tracker.push: records the address each connection was meant
    for and connects to 127.0.0.1:`port` instead, so a test never leaves this machine."""

    def __init__(self, port):
        self.port = port
        self.targets = []

    def __call__(self, address, timeout=None, source_address=None, socket_options=None):
        self.targets.append(address)
        return socket.create_connection(("127.0.0.1", self.port), timeout)


class Listener:
    """A TCP listener on 127.0.0.1 that accepts every connection, notes it and closes it at once."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.peers = []
        self.markers = set()
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return  # closed
            conn.close()
            with self.changed:
                self.peers.append(peer)
                self.changed.notify_all()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def accepted(self, timeout=5):
        """How many connections were offered before now. Connections are accepted in order, so
        once a marker connection made now is accepted, every earlier one has been counted."""
        with socket.create_connection(("127.0.0.1", self.port), timeout) as marker:
            mine = marker.getsockname()
            self.markers.add(mine)
            with self.changed:
                if not self.changed.wait_for(lambda: mine in self.peers, timeout):
                    raise AssertionError(f"the listener did not accept its marker connection within {timeout} s")
                return len([peer for peer in self.peers if peer not in self.markers])
