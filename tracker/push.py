"""Web Push: the one place Steady talks to the outside network.

`send()` delivers one payload to one subscription with VAPID and says what happened: OK,
GONE (404/410: the subscription is dead), RETRY (429, 5xx or no answer; with Retry-After if
the push service gave one) or FAILED (any other refusal, a redirect, or an endpoint Steady
will not send to).

Where it sends: a push endpoint is a URL a browser hands over, so anyone signed in can choose
it. Steady sends only to `https` endpoints on the push services browsers use
(PUSH_SERVICE_HOSTS), and only when every address the host resolves to is a public one; the
connection goes to the address that was checked (no second DNS lookup for a rebinding to
answer), and a redirect is never followed. Otherwise the worker could be made to POST into
the clinic's own network, or to tell an attacker which of its ports are open.
"""

import base64
import dataclasses
import functools
import ipaddress
import json
import logging
import os
import re
import socket
import threading
import time
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

logger = logging.getLogger(__name__)

OK, GONE, RETRY, FAILED = "ok", "gone", "retry", "failed"
TIMEOUT_SECONDS = 10
_local = threading.local()


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str
    http_status: int | None = None
    retry_after: int | None = None
    detail: str = ""


@functools.cache
def vapid():
    """The server's VAPID key: VAPID_PRIVATE_KEY (PEM or raw base64url) from the environment,
    else the one generated into var/ on first use and kept there."""
    if settings.VAPID_PRIVATE_KEY:
        key = settings.VAPID_PRIVATE_KEY
        return Vapid02.from_pem(key.encode()) if "BEGIN" in key else Vapid02.from_raw(key.encode())
    path = settings.VAR_DIR / "vapid_private.pem"
    if not path.exists():
        key = Vapid02()
        key.generate_keys()
        pem = key.private_pem()
        try:
            # O_EXCL: when two processes start at once, one key wins and both use it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
    return Vapid02.from_file(str(path))


def public_key():
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ---------------------------------------------------------------------------------------------
# Where Steady may send


class Refused(Exception):
    """An endpoint, or an address its host resolves to, that Steady does not send to."""


LOCAL_SERVICE_HOSTS = {"127.0.0.1", "::1", "localhost"}
_HOST_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")


def _listed(host):
    """Whether `host` (a name, lower case) is one of PUSH_SERVICE_HOSTS; "*.example.com" stands
    for any name under example.com (not example.com itself)."""
    if not _HOST_NAME.match(host):
        return False
    for pattern in settings.PUSH_SERVICE_HOSTS:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*.") and host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
            return True
        if host == pattern:
            return True
    return False


def _local_service(host):
    """The local push service the tests use: loopback only, and only when the setting says so."""
    return settings.PUSH_ALLOW_LOCAL_SERVICE and host in LOCAL_SERVICE_HOSTS


def endpoint_problem(endpoint):
    """Why Steady will not send to this push endpoint URL, or None when it may (as far as the
    URL says: where its host resolves to is checked when sending)."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return _("Enter the address your browser's push service gave.")
    host = (parts.hostname or "").rstrip(".")
    if _local_service(host) and parts.scheme in ("http", "https"):
        return None
    if parts.scheme != "https":
        return _("A push endpoint must start with https://.")
    if parts.username is not None or parts.password is not None or port not in (None, 443) or not _listed(host):
        return _("This is not the address of a push service Steady sends reminders through.")
    return None


def resolve(host):
    """The addresses `host` resolves to: the DNS seam (tests put their own resolver here)."""
    return [info[4][0] for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)]


def _refusal(address, local):
    """Why Steady will not connect to `address`, or None."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if local:
        return None if ip.is_loopback else f"{address} is not a loopback address"
    embedded = [ip]
    if ip.version == 6:
        # IPv4 inside IPv6 (mapped, 6to4, Teredo, NAT64) reaches the IPv4 address.
        embedded += [a for a in (ip.ipv4_mapped, ip.sixtofour, ip.teredo and ip.teredo[1]) if a]
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded.append(ipaddress.ip_address(int(ip) & 0xFFFFFFFF))
    if any(not a.is_global or a.is_multicast for a in embedded):
        return f"{address} is not a public address"
    return None


class _Lookups:
    """Each host's addresses, kept PUSH_DNS_CACHE_SECONDS: a batch of sends to one push service
    does one lookup, not one per send."""

    def __init__(self):
        self.lock = threading.Lock()
        self.found = {}

    def get(self, host):
        now = time.monotonic()
        with self.lock:
            cached = self.found.get(host)
        if cached and cached[0] > now:
            return cached[1]
        addresses = list(resolve(host))  # a failed lookup raises and is not kept
        with self.lock:
            if len(self.found) > 1000:  # names under a wildcard are many: drop the stale ones
                self.found = {name: entry for name, entry in self.found.items() if entry[0] > now}
            self.found[host] = (now + settings.PUSH_DNS_CACHE_SECONDS, addresses)
        return addresses

    def clear(self):
        with self.lock:
            self.found.clear()


lookups = _Lookups()


def checked_addresses(host):
    """The addresses to connect to for `host`: resolved once (cached), every one of them public
    (or loopback for the allowed local service). Raises Refused, or OSError when the lookup fails."""
    host = host.lower().strip("[]").rstrip(".")
    local = _local_service(host)
    if not local and not _listed(host):
        raise Refused(f"{host} is not a listed push service")
    addresses = lookups.get(host)
    if not addresses:
        raise Refused(f"{host} has no address")
    for address in addresses:
        if reason := _refusal(address, local):
            raise Refused(reason)
    return addresses


# The connect seam: tests record where a connection goes (and never really leave 127.0.0.1).
open_connection = create_connection


class _CheckedConnectionMixin:
    """A urllib3 connection that connects to the checked address of its host while TLS still
    names the host (SNI and the certificate's check use `self.host`, not the address)."""

    def _new_conn(self):
        try:
            addresses = checked_addresses(self.host)
        except (Refused, OSError) as error:
            raise NewConnectionError(self, f"refused: {error}") from None
        failure = None
        for address in addresses:
            try:
                return open_connection((address, self.port), self.timeout, source_address=self.source_address,
                                       socket_options=self.socket_options)
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
            except OSError as error:
                failure = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


class _PushSession(requests.Session):
    def __init__(self):
        super().__init__()
        # No proxy or .netrc from the environment: the connection made is the one checked.
        self.trust_env = False
        self.mount("http://", _CheckedAdapter())
        self.mount("https://", _CheckedAdapter())

    def get_redirect_target(self, response):
        # A push service answers; it does not redirect. The 3xx itself is the answer (refused).
        return None


def _session():
    # One connection pool per sending thread: sends to one push service reuse their connections.
    if not hasattr(_local, "session"):
        _local.session = _PushSession()
    return _local.session


def _retry_after(response):
    value = response.headers.get("Retry-After", "") if response is not None else ""
    return int(value) if value.strip().isdigit() else None


def send(subscription, payload, *, topic, urgency="normal", ttl=3600):
    """Encrypt and send `payload` (a dict) to one PushSubscription."""
    problem = endpoint_problem(subscription.endpoint)
    if problem is None:
        try:
            checked_addresses(urlsplit(subscription.endpoint).hostname)
        except Refused as error:
            problem = str(error)
        except OSError as error:
            return Outcome(RETRY, detail=f"push service unreachable: {type(error).__name__}")
    if problem is not None:
        logger.warning("push endpoint refused (subscription %s): %s", subscription.pk, problem)
        return Outcome(FAILED, detail=f"endpoint refused: {problem}"[:300])
    try:
        response = webpush(
            subscription_info=subscription.info(),
            data=json.dumps(payload),
            vapid_private_key=vapid(),
            # A fresh claims dict every time: pywebpush writes "exp" into the one it is given.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=ttl,
            headers={"Urgency": urgency, "Topic": topic},
            timeout=TIMEOUT_SECONDS,
            requests_session=_session(),
        )
    except WebPushException as error:
        response = error.response
        if response is None:
            return Outcome(RETRY, detail=f"push service unreachable: {type(error).__name__}")
    except requests.RequestException as error:
        return Outcome(RETRY, detail=f"push service unreachable: {type(error).__name__}")
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(OK, code)
    if code in (404, 410):
        return Outcome(GONE, code, detail=f"subscription gone ({code})")
    if code == 429 or code >= 500:
        return Outcome(RETRY, code, _retry_after(response), detail=f"push service busy ({code})")
    logger.warning("push refused with %s", code)
    return Outcome(FAILED, code, detail=f"push refused ({code})")
