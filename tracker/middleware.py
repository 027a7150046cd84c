"""Every middleware of Steady's own, in the order settings.MIDDLEWARE runs them: the request
id, the session policy, the second factor, no-store caching, and the person's time zone."""

import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from .access import counselor_for_user, participant_for_user
from .models import AccountState
from .security import SECOND_FACTOR_EXEMPT, is_staff_account, needs_second_factor, second_factor_done

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (a proxy's X-Request-ID if it looks like one), and echo it back,
    so an audit row, a log line and a person's report of a problem can be matched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request.request_id = offered if REQUEST_ID_RE.match(offered) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class SessionPolicyMiddleware:
    """Ends a session that "sign out of all devices" or closing the account made stale, and a
    staff session after STAFF_SESSION_IDLE_SECONDS idle or STAFF_SESSION_MAX_SECONDS in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            reason = self.stale(request, user)
            if reason:
                logout(request)
                if not request.path.startswith("/api/"):
                    return redirect(f"{reverse('signin')}?{urlencode({'ended': reason})}")
        return self.get_response(request)

    def stale(self, request, user):
        session = request.session
        now = time.time()
        signed_in_at = session.get("signed_in_at", 0)  # a session from before this rule counts as old
        # One query for both: the session's validity and the person's language (LanguageMiddleware).
        valid_after, request.account_language = AccountState.objects.filter(user=user).values_list(
            "sessions_valid_after", "language").first() or (None, "")
        if valid_after is not None and signed_in_at <= valid_after.timestamp():
            return "everywhere"
        if is_staff_account(user):
            if now - session.get("seen_at", now) > settings.STAFF_SESSION_IDLE_SECONDS:
                return "idle"
            if now - signed_in_at > settings.STAFF_SESSION_MAX_SECONDS:
                return "limit"
            session["seen_at"] = now
        return None


class LanguageMiddleware:
    """Every page and API answer in the reader's language: a signed-in person's own choice
    (AccountState.language, read with the session check above), else the switch's cookie, else
    the browser's Accept-Language, else English. A token-authenticated API call is switched to
    its person's language by the token authentication itself (tracker.api.authentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = getattr(request, "account_language", "") if request.user.is_authenticated else ""
        language = chosen if chosen in dict(settings.LANGUAGES) else translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            language = translation.get_language()  # a view may have switched it (the language switch)
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response


class SecondFactorMiddleware:
    """Nothing but the exempt pages until the second factor is done, for those who need one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.user.is_authenticated and not request.path.startswith(SECOND_FACTOR_EXEMPT)
                and not second_factor_done(request) and needs_second_factor(request.user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Finish signing in with your second factor first."}, status=403)
            return redirect(f"{reverse('second_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class NoStoreMiddleware:
    """Every answer from Django (pages and API; static files are served before this) without a
    caching choice of its own is `Cache-Control: no-store`: nothing personal stays in a
    browser's or proxy's HTTP cache.
    Also the Permissions-Policy header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view that chose its own caching keeps it: never_cache pages already say no-store, and
        # the service worker script and manifest (nobody's data) say no-cache.
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class ParticipantTimezoneMiddleware:
    """Show and read a participant's pages in their own zone, and a counselor's pages (the
    caseload, the audit log, invitations) in the counselor's; everything is stored in UTC.
    A page about one participant overrides to that participant's zone (care_page). The care
    team's API answers in UTC, as before: its times carry their offset, and a client shows them
    in the zone it chooses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = participant_for_user(request.user)
        if person is None and not request.path.startswith("/api/"):
            person = counselor_for_user(request.user)
        if person is not None:
            timezone.activate(person.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
