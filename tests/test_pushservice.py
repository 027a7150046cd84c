"""The tests' stand-in push service (tests/pushservice.py): wait_for wakes on each message as it
arrives, and fails loudly, naming what it got, when the messages do not come in time."""

import threading
import time
import urllib.request

import pytest

from pushservice import PushService


def post(url):
    request = urllib.request.Request(url, data=b"not decrypted", method="POST",
                                     headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_wait_for_returns_when_the_message_arrives_not_at_its_deadline():
    with PushService(decrypt=False) as service:
        # The service answers after 0.3 s, so the wait below is already waiting when it lands.
        endpoint = service.subscription(delay=0.3)["endpoint"]
        sender = threading.Thread(target=post, args=(endpoint,))
        started = time.monotonic()
        sender.start()
        (received,) = service.wait_for(1, timeout=20)
        waited = time.monotonic() - started
        sender.join()
    assert received.status == 201 and received.path == endpoint.removeprefix(service.url)
    assert waited < 10  # woken by the arrival: a missed wake-up would wait the whole 20 s


def test_wait_for_fails_loudly_with_what_it_received():
    with PushService(decrypt=False) as service:
        endpoint = service.subscription()["endpoint"]
        assert post(endpoint) == 201
        with pytest.raises(AssertionError, match=r"^the push service received 1 messages in 0.5 s, expected 2$"):
            service.wait_for(2, timeout=0.5)
