"""The installable app: web app manifest, service worker and offline page, served from the root."""

import functools
import hashlib
import json
import os

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

THEME = "#1f5f5b"
BACKGROUND = "#f7f5f0"


@functools.cache
def app_version():
    """Changes with every deploy: STEADY_VERSION if set, else a hash of the static files and
    templates this server runs with. A new version makes browsers install the new worker."""
    if os.environ.get("STEADY_VERSION"):
        return os.environ["STEADY_VERSION"]
    digest = hashlib.sha256()
    for root in [*settings.STATICFILES_DIRS, settings.BASE_DIR / "templates"]:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def manifest(request):
    data = {
        "id": "/",
        "name": "Steady",
        "short_name": "Steady",
        "description": "Your daily practice between sessions: check-ins, urges, plans and help.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("icons/maskable-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
            {"src": static("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    response = HttpResponse(json.dumps(data), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


# Public pages any visitor may get offline; a signed-in person's own pages are added on app open.
SHELL_PAGES = ["/offline/", "/help/"]
# The safety plan and the support sheet come first: they are what a hard moment without signal needs.
PARTICIPANT_PAGES = ["/safety-plan/", "/support/", "/", "/checkin/", "/urge/", "/reflection/", "/safety-plan/edit/",
                     "/weekend/", "/tasks/"]


@require_GET
def service_worker(request):
    context = {
        "version": app_version(),
        "shell": json.dumps(SHELL_PAGES + [static("css/steady.css"), static("js/app.js"), static("js/outbox.js"),
                                           static("icons/icon-192.png")]),
        "pages": json.dumps(PARTICIPANT_PAGES),
        "static_prefix": json.dumps(settings.STATIC_URL),
    }
    response = render(request, "sw.js", context, content_type="text/javascript")
    # The browser checks for a new worker on every visit; nothing in between may keep an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    return render(request, "tracker/offline.html")

