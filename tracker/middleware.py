"""Every middleware of Steady's own, in the order settings.MIDDLEWARE runs them: the request
id, the token requests' shorter way, the session policy, the second factor, no-store caching,
and the person's time zone."""

import re
import time
import uuid

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.module_loading import import_string

from .access import counselor_for_user, participant_for_user
from .models import AccountState
from .security import SECOND_FACTOR_EXEMPT, TOKEN_KEYWORDS, is_staff_account, needs_second_factor, second_factor_done

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


class TokenRequestMiddleware:
    """An API call that carries a token goes on through settings.TOKEN_REQUEST_MIDDLEWARE only:
    the middleware that serve a browser's session (the session itself, CSRF, the session's user
    and its second factor and policy, messages, django-axes, static files) have nothing to do for
    it, and cost a write more than its own work did (issue 20). DRF's token authentication (the
    first of DEFAULT_AUTHENTICATION_CLASSES) answers every such call: it signs the person in, or
    refuses with a 401, and never falls back to a session, so leaving the session out changes no
    answer. Until then the request's user is nobody, as the session's would be without a cookie.

    A token call is one under /api/ whose Authorization header starts with a word the token
    authentication takes. (The token endpoint ignores the header; its password sign-in is
    watched by django-axes' authentication backend, which needs no middleware to refuse.)"""

    PREFIXES = tuple(f"{word} " for word in TOKEN_KEYWORDS)

    def __init__(self, get_response):
        self.get_response = get_response
        self.token_chain = MiddlewareChain(settings.TOKEN_REQUEST_MIDDLEWARE)

    def __call__(self, request):
        if request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").lower().startswith(self.PREFIXES):
            request.user = AnonymousUser()
            return self.token_chain(request)
        return self.get_response(request)


class MiddlewareChain(BaseHandler):
    """A list of middleware around the view, as Django's handler builds settings.MIDDLEWARE, in
    the synchronous case only (Steady runs under WSGI, and every middleware it lists can run
    synchronously): a middleware that cannot is refused at start-up."""

    def __init__(self, paths):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(paths):
            middleware = import_string(path)
            if not getattr(middleware, "sync_capable", True):
                raise ImproperlyConfigured(f"{path} cannot run synchronously, as TOKEN_REQUEST_MIDDLEWARE must")
            instance = middleware(handler)
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def __call__(self, request):
        return self._middleware_chain(request)


SEEN_AT_STEP_SECONDS = 60


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
        # The session's validity and the person's language (LanguageMiddleware), from the account
        # state read with the user (security.RequestPerson), or in one query of their own.
        try:
            state = user.account_state
        except AccountState.DoesNotExist:
            state = None
        valid_after, request.account_language = (state.sessions_valid_after, state.language) if state else (None, "")
        if valid_after is not None and signed_in_at <= valid_after.timestamp():
            return "everywhere"
        if is_staff_account(user):
            if now - session.get("seen_at", now) > settings.STAFF_SESSION_IDLE_SECONDS:
                return "idle"
            if now - signed_in_at > settings.STAFF_SESSION_MAX_SECONDS:
                return "limit"
            # Activity is what the person does: a page opened or a form sent. A fetch a script or
            # the service worker makes in the background (Sec-Fetch-Mode other than "navigate")
            # neither keeps an open tab signed in nor writes the session: every write saves the
            # whole session, and a background fetch that read it before a form's post saved
            # would put back the old copy, losing what the post kept there (an acknowledgement's
            # refused note). And at most once a minute, which the idle limit is good to.
            if request.method in ("GET", "HEAD") and request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate":
                return None
            if not 0 <= now - session.get("seen_at", 0) < SEEN_AT_STEP_SECONDS:
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
                return JsonResponse({"detail": translation.gettext("Finish signing in with your second factor first.")}, status=403)
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
