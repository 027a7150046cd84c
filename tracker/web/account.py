"""Pages for accounts: joining by invitation, the second factor, a participant's own data,
signing out everywhere, closing an account; and the care team's invitations."""

import base64
import ipaddress
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import access, accounts, audit, exports
from ..models import Invitation
from ..security import (
    end_all_sessions,
    end_other_sessions,
    is_staff_account,
    second_factor_done,
)
from .decorators import participant_required, signed_in
from .downloads import download
from .forms import CloseForm, CodeForm, EmailForm, InvitationForm, JoinForm, NoticeForm


def _next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _landing(user):
    if access.counselor_for_user(user):
        return reverse("care_caseload")
    return reverse("admin:index") if user.is_staff else reverse("today")


# ---------------------------------------------------------------------------------------------
# The second factor (TOTP, with recovery codes)


@signed_in
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """Enter a code from the authenticator app (or a recovery code) to finish signing in."""
    user = request.user
    if not user_has_device(user, confirmed=True):
        return redirect(f"{reverse('second_factor_setup')}?{urlencode({'next': _next(request, _landing(user))})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.info(request, ngettext("Recovery code used. %(left)s left.", "Recovery code used. %(left)s left.",
                                                left) % {"left": left})
            return redirect(_next(request, _landing(user)))
        form.add_error("code", _("That code didn’t work. Codes change every 30 seconds and work once."))
    return render(request, "tracker/account/second_factor.html", {"form": form, "next": _next(request, "")})


@signed_in
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Add an authenticator app: scan the code, type one code to confirm, keep the recovery codes."""
    user = request.user
    if user_has_device(user, confirmed=True) and not second_factor_done(request):
        return redirect("second_factor")  # a new device only after proving the old one
    if request.method == "POST" and request.POST.get("action") == "start":
        # The pending device is made by this POST, never by showing the page.
        accounts.second_factor_begin(user=user)
        target = _next(request, "")
        return redirect(reverse("second_factor_setup") + (f"?{urlencode({'next': target})}" if target else ""))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        return render(request, "tracker/account/second_factor_setup.html", {
            "start": True, "required": is_staff_account(user), "next": _next(request, "")})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = accounts.second_factor_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            return render(request, "tracker/account/recovery_codes.html", {
                "codes": codes, "next": _next(request, _landing(user))})
        form.add_error("code", _("That code didn’t match. Check the time on your phone and try the newest code."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d2725", light="#ffffff", omitsize=True,
                                                             title=_("Sign-in code for your authenticator app"))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "tracker/account/second_factor_setup.html", {
        "form": form, "qr": qr, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "required": is_staff_account(user), "next": _next(request, "")})


@signed_in
@require_http_methods(["GET", "POST"])
def second_factor_off(request):
    """A participant may turn two-step sign-in off again, with a current code. Staff may not."""
    user = request.user
    if is_staff_account(user) or not user_has_device(user, confirmed=True):
        raise Http404("Nothing to turn off.")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if match_token(user, form.cleaned_data["code"]) is not None:
            accounts.second_factor_remove(user=user)
            messages.success(request, _("Two-step sign-in is off. You can turn it on again in Settings."))
            return redirect("settings")
        form.add_error("code", _("That code didn’t work. Codes change every 30 seconds and work once."))
    return render(request, "tracker/account/second_factor_off.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# Joining by invitation


@never_cache
@require_http_methods(["GET", "POST"])
def join(request, token):
    invitation = accounts.invitation_for_token(token)
    if invitation is None:
        return render(request, "tracker/account/join_invalid.html", {"days": settings.INVITATION_DAYS}, status=404)
    initial = {"time_zone": settings.DEFAULT_PARTICIPANT_TIME_ZONE}
    form = JoinForm(request.POST or None, invitation=invitation, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.enrol(token=token, username=data["username"], password=data["password"],
                                  time_zone=data.get("time_zone", settings.DEFAULT_PARTICIPANT_TIME_ZONE),
                                  acknowledged=data.get("acknowledged", False))
        except accounts.InvitationClosed:
            return render(request, "tracker/account/join_invalid.html", {"days": settings.INVITATION_DAYS}, status=404)
        login(request, user, backend="tracker.security.SteadyModelBackend")
        if invitation.role == Invitation.Role.COUNSELOR:
            return redirect("second_factor_setup")
        messages.success(request, _("Welcome to Steady. This is Today: your check-in and anything due."))
        return redirect("today")
    return render(request, "tracker/account/join.html", {
        "form": form, "invitation": invitation, "notice": accounts.notice_text(invitation.program)})


# ---------------------------------------------------------------------------------------------
# The care team's invitations


def invitation_link(request, path):
    """SITE_URL when it is set (the address phones use), else the address this page was opened at."""
    return settings.SITE_URL + path if settings.SITE_URL_SET else request.build_absolute_uri(path)


def only_this_computer(link):
    """The host of a link no phone can reach (this computer itself: 127.0.0.1, localhost, ::1), or None."""
    host = urlsplit(link).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host if host == "localhost" or host.endswith(".localhost") else None
    return host if address.is_loopback or address.is_unspecified else None


@signed_in
@require_http_methods(["GET", "POST"])
def invitations(request):
    counselor = access.caseload_counselor(request, resource="invitations")
    form = InvitationForm(request.POST or None, admin=counselor.is_program_admin)
    created = None
    if request.method == "POST" and form.is_valid():
        invitation, token = accounts.invitation_create(
            program=counselor.program, role=form.cleaned_data.get("role", Invitation.Role.PARTICIPANT),
            name=form.cleaned_data["name"], email=form.cleaned_data["email"], created_by=request.user)
        link = invitation_link(request, reverse("join", args=[token]))
        created = {"invitation": invitation, "link": link,
                   "qr": segno.make(link, error="m").svg_inline(scale=5, omitsize=True, title=_("Invitation link for %(name)s") % {"name": invitation.name})}
        form = InvitationForm(admin=counselor.is_program_admin)
    mine = Invitation.objects.filter(program=counselor.program)
    if not counselor.is_program_admin:
        mine = mine.filter(created_by=request.user)
    response = render(request, "tracker/care/invitations.html", {
        "form": form, "created": created, "invitations": mine[:50], "days": settings.INVITATION_DAYS,
        "loopback": only_this_computer(invitation_link(request, "/"))})
    audit.record(request, action="write" if created else "read", resource="invitations",
                 object_id=created["invitation"].pk if created else "")
    return response


@signed_in
@require_http_methods(["POST"])
def invitation_revoke(request, pk):
    counselor = access.caseload_counselor(request, resource="invitations")
    invitation = Invitation.objects.filter(pk=pk, program=counselor.program).first()
    if invitation is None or not (counselor.is_program_admin or invitation.created_by_id == request.user.pk):
        raise Http404("No such invitation.")
    accounts.invitation_revoke(invitation=invitation)
    audit.record(request, action="write", resource="invitations", object_id=invitation.pk)
    messages.success(request, _("The link for %(name)s no longer works.") % {"name": invitation.name})
    return redirect("care_invitations")


# ---------------------------------------------------------------------------------------------
# A participant's own account


@participant_required
@require_http_methods(["GET", "POST"])
def notice(request):
    """Who sees what, as it is now; Today asks to read it again after it changed (accounts.NOTICE_VERSION)."""
    form = NoticeForm(request.POST if request.method == "POST" else None)  # an empty POST (no tick) is a POST
    if request.method == "POST" and form.is_valid():
        accounts.notice_acknowledge(participant=request.participant)
        messages.success(request, _("Thank you for reading it."))
        return redirect("today")
    return render(request, "tracker/account/notice.html", {
        "form": form, "notice": accounts.notice_text(request.participant.program),
        "outdated": accounts.notice_outdated(request.user)})


@participant_required
def my_data(request):
    return render(request, "tracker/account/my_data.html", {"retention": settings.ACCOUNT_RETENTION_DAYS})


@participant_required
def my_data_download(request, fmt):
    if fmt not in ("json", "csv"):
        raise Http404("No such format.")
    participant = request.participant
    name = f"steady-my-data-{participant.local_today():%Y%m%d}"
    if fmt == "json":
        return download(fmt=fmt, name=name, data=exports.my_export_json(participant))
    return download(fmt=fmt, name=name, rows=exports.my_export_csv_rows(participant))


@signed_in
@require_http_methods(["POST"])
def sign_out_everywhere(request):
    end_all_sessions(request.user)
    logout(request)
    response = redirect(f"{reverse('signin')}?ended=everywhere")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@participant_required
@require_http_methods(["GET", "POST"])
def close_account(request):
    form = CloseForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        accounts.close_account(participant=request.participant)
        logout(request)
        response = render(request, "tracker/account/closed.html", {"retention": settings.ACCOUNT_RETENTION_DAYS})
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return render(request, "tracker/account/close.html", {"form": form, "retention": settings.ACCOUNT_RETENTION_DAYS})


@signed_in
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change the password with the current one; every other device and app token is signed out.
    Open to everyone signed in; a participant gets their own page frame and Settings after."""
    request.participant = access.participant_for_user(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        end_other_sessions(request)
        messages.success(request, _("Password changed. Other devices are signed out."))
        return redirect("settings" if request.participant else _landing(user))
    return render(request, "tracker/account/password_change.html", {"form": form})


@participant_required
@require_http_methods(["POST"])
def email_change(request):
    form = EmailForm(request.POST)
    if form.is_valid():
        accounts.email_change_request(
            user=request.user, email=form.cleaned_data["email"],
            link_for=lambda token: request.build_absolute_uri(reverse("email_confirm", args=[token])))
        messages.success(request, _("We sent a link to %(email)s. Open it within 2 days to use this address.")
                         % {"email": form.cleaned_data["email"]})
        return redirect("settings")
    return render(request, "tracker/account/email_change.html", {"email_form": form})


@participant_required
def email_confirm(request, token):
    try:
        email = accounts.email_confirm(user=request.user, token=token)
    except accounts.EmailLinkInvalid:
        return render(request, "tracker/account/email_link_invalid.html", status=400)
    messages.success(request, _("Email confirmed: %(email)s.") % {"email": email})
    return redirect("settings")
