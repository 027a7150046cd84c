"""Sign-in and session rules: a second factor for staff, session timeouts, "sign out of all
devices", no-store caching, and failed sign-ins logged without the password."""

import datetime as dt
import logging
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext
from django_otp import device_classes, user_has_device
from rest_framework.authtoken.models import Token

from .access import counselor_for_user
from .audit import client_ip
from .models import AccountState, Reminder
from .statements import prepared_cursor

logger = logging.getLogger("steady.security")

# The words an API call's Authorization header may start with to send a token ("Bearer <token>",
# or DRF's own "Token <token>"): tracker.api.authentication reads them, TokenRequestMiddleware
# routes by them.
TOKEN_KEYWORDS = ("bearer", "token")

# What a person who still owes their second factor may open: the second-factor pages themselves,
# signing out, and pages with nobody's data on them.
SECOND_FACTOR_EXEMPT = ("/account/2fa/", "/signout/", "/static/", "/help/", "/healthz/", "/manifest.webmanifest",
                        "/sw.js", "/offline/", "/signin/", "/jsi18n/")


class MaximumLengthValidator:
    """Long passphrases are welcome; this only keeps a hash input within reason."""

    def __init__(self, max_length=256):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(gettext("Use at most %(max)s characters.") % {"max": self.max_length},
                                  code="password_too_long")

    def get_help_text(self):
        return gettext("Up to %(max)s characters; a passphrase of several words works well.") % {"max": self.max_length}


def is_staff_account(user):
    """Counselors, program admins and admin-site users: the people who see others' records."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return counselor_for_user(user) is not None


def needs_second_factor(user):
    """Staff always; a participant once they have turned it on. Read with the user's own row when
    it was loaded by RequestPerson (below), else asked of each kind of device."""
    if is_staff_account(user):
        return True
    known = getattr(user, "has_confirmed_device", None)
    return known if known is not None else user_has_device(user, confirmed=True)


class RequestPerson:
    """The signed-in person with everything every request asks about them, in one statement: the
    user row, their participant or counselor row, their account state (sessions, language), and
    whether they have a confirmed second factor. Through the ORM these were five or six queries a
    request; and the ORM's building of this one query cost more than running it (issue 20), so
    its SQL is composed once per process and only run after that. No cache of any result: a
    token revoked or a second factor confirmed counts from the very next request."""

    RELATED = ("participant", "counselor", "account_state")  # reverse one-to-ones of the user

    def __init__(self):
        self._sql = None

    def _compose(self):
        user_model = get_user_model()
        quote = connection.ops.quote_name
        self.parts = [(user_model, None, "u")]
        for index, name in enumerate(self.RELATED):
            self.parts.append((user_model._meta.get_field(name).related_model, name, f"r{index}"))
        columns, joins = [], []
        for model, name, alias in self.parts:
            columns += [f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields]
            if name is not None:
                joins.append(f"LEFT JOIN {quote(model._meta.db_table)} {alias} ON {alias}.{quote('user_id')} = u.{quote('id')}")
        devices = " OR ".join(
            f"EXISTS (SELECT 1 FROM {quote(device._meta.db_table)} d WHERE d.{quote('user_id')} = u.{quote('id')} "
            f"AND d.{quote('confirmed')})" for device in device_classes())
        self.converters = [
            [(field.attname, [*connection.ops.get_db_converters(field.get_col(alias)), *field.get_db_converters(connection)])
             for field in model._meta.concrete_fields] for model, name, alias in self.parts]
        select = f"SELECT {', '.join(columns)}, ({devices}) FROM {quote(user_model._meta.db_table)} u {' '.join(joins)}"
        token = quote(Token._meta.db_table)
        self._sql = {
            "user": f"{select} WHERE u.{quote('id')} = %s",
            "token": f"{select} JOIN {token} t ON t.{quote('user_id')} = u.{quote('id')} WHERE t.{quote('key')} = %s",
        }

    def by_user_id(self, user_id):
        return self._read("user", user_id)

    def by_token(self, key):
        return self._read("token", key)

    def _read(self, kind, value):
        if self._sql is None:
            self._compose()
        with prepared_cursor() as cursor:
            cursor.execute(self._sql[kind], [value])
            row = cursor.fetchone()
        if row is None:
            return None
        rows, start = [], 0
        for (model, name, alias), converters in zip(self.parts, self.converters):
            values = list(row[start:start + len(converters)])
            start += len(converters)
            for position, (attname, field_converters) in enumerate(converters):
                for convert in field_converters:
                    values[position] = convert(values[position], None, connection)
            # A LEFT JOIN that found nothing: every column NULL, the primary key too.
            rows.append(model.from_db(connection.alias, [attname for attname, _ in converters], values)
                        if values[0] is not None else None)
        user = rows[0]
        for (model, name, alias), related in zip(self.parts[1:], rows[1:]):
            user._meta.get_field(name).set_cached_value(user, related)
            if related is not None:
                related._meta.get_field("user").set_cached_value(related, user)
        user.has_confirmed_device = row[start]
        return user


request_person = RequestPerson()


class SteadyModelBackend(ModelBackend):
    """Django's own backend, reading the signed-in person with RequestPerson: one query per page
    for the user, their participant or counselor row, account state and second factor."""

    def get_user(self, user_id):
        user = request_person.by_user_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def second_factor_done(request):
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


class SprayAwareHandler(AxesDatabaseHandler):
    """django-axes' database handler (AXES_HANDLER), plus one rule against password spraying.

    axes locks a username from one address after a few wrong passwords, so nobody elsewhere can
    lock a person out. One password tried against many usernames never trips that. So an address
    whose failed sign-ins name SIGNIN_SPRAY_USERNAMES different usernames within the last
    SIGNIN_SPRAY_MINUTES is refused as a whole until those failures are older than that. Counted
    from axes' own AccessAttempt rows (one per username and address, removed when that person
    signs in), so a group room on one clinic address, where people mistype and then get in,
    never comes near it; the same people still sign in from any other address.
    """

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.is_spraying(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and self.is_spraying(request):
            logger.warning("sign-in paused for %s: failures for %s or more usernames", request.axes_ip_address,
                           settings.SIGNIN_SPRAY_USERNAMES)
            request.axes_locked_out = True   # this failure already answers with the lockout page

    @staticmethod
    def is_spraying(request):
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return False
        since = timezone.now() - dt.timedelta(minutes=settings.SIGNIN_SPRAY_MINUTES)
        usernames = (AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).order_by()
                     .values("username").distinct().count())
        request.axes_spraying = usernames >= settings.SIGNIN_SPRAY_USERNAMES
        return request.axes_spraying


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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_deactivation(sender, instance, **kwargs):
    if instance.pk and not instance.is_active:
        instance._was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _deactivation_ends_sessions(sender, instance, **kwargs):
    """However an account is deactivated (admin site, closing it, a script), every session and
    token of it ends and its reminders stop, and they stay so if it is turned on again."""
    if getattr(instance, "_was_active", False):
        instance._was_active = False
        end_all_sessions(instance)
        Reminder.objects.filter(participant__user=instance).update(enabled=False)


def end_all_sessions(user):
    """Every session of this person, on every device, ends at its next request."""
    now = timezone.now()
    AccountState.objects.update_or_create(user=user, defaults={"sessions_valid_after": now})
    Token.objects.filter(user=user).delete()
    return now


def end_other_sessions(request):
    """Every session of this person but this one ends (after a password change, say)."""
    cut = end_all_sessions(request.user)
    # This session counts as begun just after the cut, so it alone goes on.
    request.session["signed_in_at"] = cut.timestamp() + 0.001

