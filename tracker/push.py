"""Web Push: the one place Steady talks to the outside network.

`send()` delivers one payload to one subscription with VAPID and says what happened: OK,
GONE (404/410: the subscription is dead), RETRY (429, 5xx or no answer; with Retry-After if
the push service gave one) or FAILED (any other refusal).
"""

import base64
import dataclasses
import functools
import json
import logging
import os
import threading

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

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


def _session():
    # One connection pool per sending thread: sends to one push service reuse their connections.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def _retry_after(response):
    value = response.headers.get("Retry-After", "") if response is not None else ""
    return int(value) if value.strip().isdigit() else None


def send(subscription, payload, *, topic, urgency="normal", ttl=3600):
    """Encrypt and send `payload` (a dict) to one PushSubscription."""
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
