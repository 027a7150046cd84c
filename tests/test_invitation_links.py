"""Invitation links (and their QR codes) point to SITE_URL when it is set, else to the address the
page was opened at; the page warns when that is this computer itself, which no phone can reach."""

import re

import pytest

WARNING = "A phone cannot open these links yet."


def made_link(response):
    return re.search(r'id="invite-link" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_the_page_warns_when_links_point_to_this_computer(carol_client, carol, now, settings, host):
    settings.SITE_URL_SET = False
    page = carol_client.get("/care/invitations/", HTTP_HOST=host).content.decode()
    assert WARNING in page and "Set SITE_URL to the address phones use" in page
    response = carol_client.post("/care/invitations/", {"name": "Dee", "email": ""}, HTTP_HOST=host)
    assert made_link(response).startswith(f"http://{host}/j/")
    assert WARNING in response.content.decode()


def test_site_url_when_set_makes_the_link_and_no_warning(carol_client, carol, now, settings):
    settings.SITE_URL_SET, settings.SITE_URL = True, "https://steady.example.org"
    response = carol_client.post("/care/invitations/", {"name": "Dee", "email": ""}, HTTP_HOST="127.0.0.1:8000")
    assert made_link(response).startswith("https://steady.example.org/j/")
    assert WARNING not in response.content.decode()


def test_a_loopback_site_url_is_warned_about_too(carol_client, carol, now, settings):
    settings.SITE_URL_SET, settings.SITE_URL = True, "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    page = carol_client.get("/care/invitations/", HTTP_HOST="192.168.1.20:8000").content.decode()
    assert WARNING in page and "They point to 127.0.0.1" in page


def test_an_address_phones_can_reach_has_no_warning(carol_client, carol, now, settings):
    settings.SITE_URL_SET = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "192.168.1.20"]
    response = carol_client.post("/care/invitations/", {"name": "Dee", "email": ""}, HTTP_HOST="192.168.1.20:8000")
    assert made_link(response).startswith("http://192.168.1.20:8000/j/")
    assert WARNING not in response.content.decode()
