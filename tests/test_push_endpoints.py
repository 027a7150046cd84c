"""Where reminders may be pushed to: a push endpoint is a URL a browser hands over, so anyone
signed in can choose it. Steady takes only https endpoints on the push services browsers use,
sends only when the host resolves to public addresses, connects to the address it checked, and
never follows a redirect. Otherwise the worker would POST into the clinic's own network for
whoever asked, and say which ports answer.

No test here leaves this machine: names are answered by the tests' resolver, and connections
are routed to 127.0.0.1 through the connect seam, which records where each one was meant to go.
"""

import datetime as dt
import os
import subprocess
import sys
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import ValidationError
from people import reminders_only
from pushservice import Connections, Listener, PushService, b64
from test_headers import ROOT, production_env

from tracker import push, reminders, services
from tracker.models import Delivery, PushSubscription
from tracker.tasks import enqueue_sends, send_deliveries

PUBLIC = "142.250.80.10"  # a public address: the test resolver says fcm.googleapis.com is there


def browser_keys():
    """A subscription's keys as a browser makes them (a P-256 public key and an auth secret)."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64(public), "auth": b64(os.urandom(16))}


@pytest.fixture(autouse=True)
def sends_in_this_thread(settings, monkeypatch):
    settings.PUSH_SEND_CONCURRENCY = 1
    # A fresh connection pool per test: none left over from another test's push service.
    monkeypatch.setattr(push, "_local", threading.local())


@pytest.fixture
def listener():
    with Listener() as listening:
        yield listening


@pytest.fixture
def connections(monkeypatch, listener):
    """Every push connection is recorded and sent to the listener on 127.0.0.1 instead."""
    routed = Connections(listener.port)
    monkeypatch.setattr(push, "open_connection", routed)
    return routed


def remind_now(participant, now):
    """A check-in reminder due and handed to the sender; returns its delivery."""
    reminders_only(participant, checkin_reminder_at=dt.time(12, 30))
    now.shift(dt.timedelta(minutes=31))
    reminders.reminders_tick(enqueue=enqueue_sends)
    delivery = Delivery.objects.get()
    send_deliveries([delivery.pk])
    delivery.refresh_from_db()
    return delivery


# -- when a browser subscribes


REFUSED = [
    "http://fcm.googleapis.com/fcm/send/abc",  # not https
    "https://push.example.org/abc",  # not a push service
    "https://127.0.0.1/",
    "https://[::1]/",
    "https://10.0.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://fcm.googleapis.com:8443/fcm/send/abc",  # another port
    "https://me:secret@fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com.example.org/fcm/send/abc",
    "https://push.apple.com/abc",  # *.push.apple.com is the names under it, not the domain itself
    "https://evilpush.apple.com/abc",
    "https://web.push.apple.com.example.org/abc",
]
ACCEPTED = [
    "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl",
    "https://web.push.apple.com/QGuI-6h2A",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
]


@pytest.mark.parametrize("endpoint", REFUSED)
def test_an_endpoint_off_the_push_services_is_refused_with_a_400_naming_it(api, endpoint):
    response = api.post("/api/v1/push-subscriptions/", {"endpoint": endpoint, "keys": browser_keys()}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["endpoint"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("endpoint", ACCEPTED)
def test_an_endpoint_on_a_push_service_is_taken(api, endpoint, resolver):
    response = api.post("/api/v1/push-subscriptions/", {"endpoint": endpoint, "keys": browser_keys()}, format="json")
    assert response.status_code == 201, response.json()
    assert PushSubscription.objects.get().endpoint == endpoint
    assert resolver.calls == []  # subscribing looks nothing up and connects nowhere


def test_the_service_refuses_such_an_endpoint_too(alice):
    with pytest.raises(ValidationError) as refused:
        services.push_subscription_save(user=alice.user, endpoint="https://10.0.0.1/", keys=browser_keys())
    assert "endpoint" in refused.value.message_dict
    assert not PushSubscription.objects.exists()


def test_the_local_push_service_is_taken_only_with_its_setting(api, settings):
    with PushService() as service:
        info = service.subscription()
        assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 400
        settings.PUSH_ALLOW_LOCAL_SERVICE = True
        assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 201
    # The setting opens this machine's loopback addresses, nothing else.
    for endpoint in ("https://10.0.0.1/", "https://push.example.org/abc", "ftp://127.0.0.1/x"):
        response = api.post("/api/v1/push-subscriptions/", {"endpoint": endpoint, "keys": browser_keys()}, format="json")
        assert response.status_code == 400, endpoint


# -- when sending: subscriptions stored before these rules, or names that resolve inside


@pytest.mark.parametrize("endpoint, addresses", [
    ("http://fcm.googleapis.com/fcm/send/abc", [PUBLIC]),
    ("https://push.example.org/abc", [PUBLIC]),
    ("https://127.0.0.1/push/abc", None),
    ("https://[::1]/push/abc", None),
    ("https://10.0.0.1/push/abc", None),
    ("https://fcm.googleapis.com/fcm/send/abc", ["127.0.0.1"]),
    ("https://fcm.googleapis.com/fcm/send/abc", ["169.254.169.254"]),  # the cloud's metadata service
    ("https://fcm.googleapis.com/fcm/send/abc", ["::ffff:10.0.0.1"]),
    ("https://fcm.googleapis.com/fcm/send/abc", ["64:ff9b::a9fe:a9fe"]),  # NAT64 of 169.254.169.254
    ("https://fcm.googleapis.com/fcm/send/abc", ["2002:a00:1::1"]),  # 6to4 of 10.0.0.1
    ("https://fcm.googleapis.com/fcm/send/abc", ["fd00::1"]),
    ("https://fcm.googleapis.com/fcm/send/abc", [PUBLIC, "192.168.1.1"]),  # one inside is enough to refuse
])
def test_an_endpoint_that_leads_inside_is_refused_at_send_time_without_a_connection(
        alice, now, resolver, connections, listener, endpoint, addresses):
    if addresses:
        resolver.names["fcm.googleapis.com"] = resolver.names["push.example.org"] = addresses
    PushSubscription.objects.create(user=alice.user, endpoint=endpoint, **browser_keys())
    delivery = remind_now(alice, now)
    assert delivery.status == "failed" and "endpoint refused" in delivery.error
    assert connections.targets == []
    assert listener.accepted() == 0


def test_a_listed_name_resolving_to_loopback_is_refused_even_with_the_local_service_allowed(
        alice, now, resolver, connections, listener, local_push_service):
    resolver.names["fcm.googleapis.com"] = ["127.0.0.1"]
    PushSubscription.objects.create(user=alice.user, endpoint="https://fcm.googleapis.com/fcm/send/abc",
                                    **browser_keys())
    delivery = remind_now(alice, now)
    assert delivery.status == "failed" and "not a public address" in delivery.error
    assert (connections.targets, listener.accepted()) == ([], 0)


def test_the_local_push_service_is_not_sent_to_without_its_setting(alice, now, listener):
    # The real connect function: the listener itself is what a send would reach.
    PushSubscription.objects.create(user=alice.user, endpoint=f"http://127.0.0.1:{listener.port}/push/abc",
                                    **browser_keys())
    delivery = remind_now(alice, now)
    assert delivery.status == "failed" and "endpoint refused" in delivery.error
    assert listener.accepted() == 0


# -- a push service on a public address: sent there, and to the address checked


@pytest.fixture
def fcm(monkeypatch, resolver):
    """The local push service answering https as fcm.googleapis.com (its own certificate
    authority), which the tests' resolver puts at a public address. Connections are recorded
    and routed to it on 127.0.0.1."""
    with PushService(tls_name="fcm.googleapis.com") as service:
        resolver.names["fcm.googleapis.com"] = [PUBLIC]
        routed = Connections(service.port)
        monkeypatch.setattr(push, "open_connection", routed)
        push._session().verify = service.ca_file  # trust the test authority, in this thread's session
        service.connections = routed
        yield service


def test_a_push_service_on_a_public_address_gets_the_reminder_at_the_address_checked(api, alice, now, fcm, resolver):
    info = fcm.subscription()
    assert info["endpoint"].startswith("https://fcm.googleapis.com/push/")
    assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 201
    delivery = remind_now(alice, now)
    assert (delivery.status, delivery.channel) == ("sent", "push")
    (received,) = fcm.delivered()
    assert received.payload["body"] == "Time for your check-in"
    assert fcm.connections.targets == [(PUBLIC, 443)]
    # TLS still names the push service: the certificate was checked for it, and SNI asked for it.
    assert fcm.server_names == ["fcm.googleapis.com"]
    assert received.headers["Host"] == "fcm.googleapis.com"
    assert resolver.calls == ["fcm.googleapis.com"]  # looked up once: the check and the connection share it


def test_lookups_are_kept_per_host_so_each_send_does_not_wait_for_dns(alice, bob, fcm, resolver):
    infos = [fcm.subscription(), fcm.subscription()]
    subscriptions = [PushSubscription.objects.create(user=person.user, endpoint=info["endpoint"], **info["keys"])
                     for person, info in zip((alice, bob), infos)]
    for subscription in subscriptions * 2:
        assert push.send(subscription, {"title": "Steady"}, topic="t").status == push.OK
    assert len(fcm.delivered()) == 4
    assert resolver.calls == ["fcm.googleapis.com"]


def test_a_new_connection_uses_a_new_checked_lookup_not_a_second_unchecked_one(alice, fcm, resolver, settings):
    """A name that answers public for the check and private a moment later (DNS rebinding):
    with nothing kept, the connection looks the name up again and checks that answer too."""
    settings.PUSH_DNS_CACHE_SECONDS = 0
    resolver.names["fcm.googleapis.com"] = [[PUBLIC], ["10.0.0.1"]]
    info = fcm.subscription()
    subscription = PushSubscription.objects.create(user=alice.user, endpoint=info["endpoint"], **info["keys"])
    outcome = push.send(subscription, {"title": "Steady"}, topic="t")
    assert outcome.status == push.RETRY and "unreachable" in outcome.detail
    assert resolver.calls == ["fcm.googleapis.com", "fcm.googleapis.com"]
    assert fcm.connections.targets == [] and fcm.received == []


# -- redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed_and_the_delivery_is_not_sent(api, alice, now, local_push_service, status):
    with PushService() as service:
        elsewhere = service.subscription()
        info = service.subscription(statuses=[status], location=elsewhere["endpoint"])
        assert api.post("/api/v1/push-subscriptions/", info, format="json").status_code == 201
        delivery = remind_now(alice, now)
        assert delivery.status == "failed" and f"push refused ({status})" in delivery.error
        assert [(r.path, r.status) for r in service.received] == [(info["endpoint"].removeprefix(service.url), status)]
        assert service.delivered() == []


# -- production settings


def test_check_deploy_refuses_the_local_push_service_setting(tmp_path):
    env = {**production_env(tmp_path), "PUSH_ALLOW_LOCAL_SERVICE": "1", "PUSH_SERVICE_HOSTS": "fcm.googleapis.com,*"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, check=False,
                            capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "steady.E020" in output and "PUSH_ALLOW_LOCAL_SERVICE" in output
    assert "steady.E021" in output and "'*'" in output
