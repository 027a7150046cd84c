"""The installable app: web app manifest, service worker and offline page, served from the root."""

import functools
import hashlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog, JSONCatalog

THEME = "#1f5f5b"
BACKGROUND = "#f7f5f0"


@functools.cache
def app_version():
    """Changes with every deploy: STEADY_VERSION if set, else a hash of the static files,
    templates and translations this server runs with. A new version makes browsers install the
    new worker (and keep the new pages and words)."""
    if os.environ.get("STEADY_VERSION"):
        return os.environ["STEADY_VERSION"]
    digest = hashlib.sha256()
    for root in [*settings.STATICFILES_DIRS, settings.BASE_DIR / "templates", *map(Path, settings.LOCALE_PATHS)]:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@require_GET
def manifest(request):
    # In the reader's language (LanguageMiddleware: the person's choice, else the cookie, else the
    # browser's); the page's <link> asks for it with the person's cookies (crossorigin="use-credentials").
    data = {
        "id": "/",
        "name": "Steady",
        "short_name": "Steady",
        "description": _("Your daily practice between sessions: check-ins, urges, plans and help."),
        "lang": translation.get_language(),
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
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
                                           static("js/questionnaire.js"), static("icons/icon-192.png"),
                                           reverse("js_catalog", args=[settings.LANGUAGE_CODE])]),
        "pages": json.dumps(PARTICIPANT_PAGES),
        "static_prefix": json.dumps(settings.STATIC_URL),
        "default_language": json.dumps(settings.LANGUAGE_CODE),
        "pages_refresh_ms": json.dumps(settings.STEADY_PAGES_REFRESH_SECONDS * 1000),
    }
    response = render(request, "sw.js", context, content_type="text/javascript")
    # The browser checks for a new worker on every visit; nothing in between may keep an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    return render(request, "tracker/offline.html")



# ---- The words the scripts say (the djangojs catalog) ----
# One address per language (/jsi18n/es.js), so a kept copy is never in the wrong language; the
# page loads its own language's (templates/base.html), the service worker keeps it for offline use
# and reads the JSON form for the texts it shows itself (templates/sw.js). Only Steady's own
# catalog (LOCALE_PATHS), not the admin site's.
CATALOG_PACKAGES = ["tracker"]


def _catalog(request, language, view_class):
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    with translation.override(language):
        response = view_class.as_view(packages=CATALOG_PACKAGES)(request)
    # The same words for everybody, changed only by a deploy: the browser keeps them and asks again
    # each time with its ETag (a 304, no body); the service worker keeps them per version.
    etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    response["ETag"] = etag
    response["Content-Language"] = language
    response["Cache-Control"] = "public, no-cache"
    return get_conditional_response(request, etag=etag, response=response)


@require_GET
def js_catalog(request, language):
    return _catalog(request, language, JavaScriptCatalog)


@require_GET
def json_catalog(request, language):
    return _catalog(request, language, JSONCatalog)
