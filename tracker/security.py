"""Sign-in and session rules: a second factor for staff, session timeouts, "sign out of all
devices", no-store caching, and failed sign-ins logged without the password."""

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import user_has_device

from .audit import client_ip

logger = logging.getLogger("steady.security")

# What a person who still owes their second factor may open: the second-factor pages themselves,
# signing out, and pages with nobody's data on them.
SECOND_FACTOR_EXEMPT = ("/account/2fa/", "/signout/", "/static/", "/help/", "/healthz/", "/manifest.webmanifest",
                        "/sw.js", "/offline/", "/signin/")


class MaximumLengthValidator:
    """Long passphrases are welcome; this only keeps a hash input within reason."""

    def __init__(self, max_length=256):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(f"Use at most {self.max_length} characters.", code="password_too_long")

    def get_help_text(self):
        return f"Up to {self.max_length} characters; a passphrase of several words works well."


def is_staff_account(user):
    """Counselors, program admins and admin-site users: the people who see others' records."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    from .access import counselor_for_user

    return counselor_for_user(user) is not None


def needs_second_factor(user):
    """Staff always; a participant once they have turned it on."""
    return is_staff_account(user) or user_has_device(user, confirmed=True)


def second_factor_done(request):
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


@receiver(user_logged_in)
def _session_starts(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session["signed_in_at"] = now
    request.session["seen_at"] = now
    if is_staff_account(user):
        request.session.set_expiry(settings.STAFF_SESSION_MAX_SECONDS)


@receiver(user_login_failed)
def _log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; only the username is logged.
    logger.warning("sign-in failed for username=%r from %s", (credentials or {}).get("username", "")[:150],
                   client_ip(request) if request is not None else "unknown")


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
        from .models import AccountState

        valid_after = AccountState.objects.filter(user=user).values_list("sessions_valid_after", flat=True).first()
        if valid_after is not None and signed_in_at <= valid_after.timestamp():
            return "everywhere"
        if is_staff_account(user):
            if now - session.get("seen_at", now) > settings.STAFF_SESSION_IDLE_SECONDS:
                return "idle"
            if now - signed_in_at > settings.STAFF_SESSION_MAX_SECONDS:
                return "limit"
            session["seen_at"] = now
        return None


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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_deactivation(sender, instance, **kwargs):
    if instance.pk and not instance.is_active:
        instance._was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _deactivation_ends_sessions(sender, instance, **kwargs):
    """However an account is deactivated (admin site, closing it, a script), every session and
    token of it ends, and stays ended if it is turned on again."""
    if getattr(instance, "_was_active", False):
        instance._was_active = False
        end_all_sessions(instance)


def end_all_sessions(user):
    """Every session of this person, on every device, ends at its next request."""
    from rest_framework.authtoken.models import Token

    from .models import AccountState

    AccountState.objects.update_or_create(user=user, defaults={"sessions_valid_after": timezone.now()})
    Token.objects.filter(user=user).delete()

