"""Pages for accounts: joining by invitation, the second factor, a participant's own data,
signing out everywhere, closing an account; and the care team's invitations."""

import base64
import functools

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, password_validation
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, accounts, audit
from .downloads import download
from .forms import AccessibleErrorsMixin
from .models import Invitation, known_zones
from .security import end_all_sessions, is_staff_account, second_factor_done
from .views import participant_required

RECOVERY_CODES = 10


def signed_in(view):
    @functools.wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


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


class CodeForm(AccessibleErrorsMixin, forms.Form):
    code = forms.CharField(label="Code", max_length=16, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "spellcheck": "false"}))

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


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
                messages.info(request, f"Recovery code used. {left} left.")
            return redirect(_next(request, _landing(user)))
        form.add_error("code", "That code didn’t work. Codes change every 30 seconds and work once.")
    return render(request, "tracker/account/second_factor.html", {"form": form, "next": _next(request, "")})


@signed_in
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Add an authenticator app: scan the code, type one code to confirm, keep the recovery codes."""
    user = request.user
    if user_has_device(user, confirmed=True) and not second_factor_done(request):
        return redirect("second_factor")  # a new device only after proving the old one
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            StaticDevice.objects.filter(user=user).delete()
            static = StaticDevice.objects.create(user=user, name="Recovery codes")
            codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
            StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
            otp_login(request, device)
            return render(request, "tracker/account/recovery_codes.html", {
                "codes": codes, "next": _next(request, _landing(user))})
        form.add_error("code", "That code didn’t match. Check the time on your phone and try the newest code.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1d2725", light="#ffffff", omitsize=True,
                                                             title="Sign-in code for your authenticator app")
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
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            messages.success(request, "Two-step sign-in is off. You can turn it on again in Settings.")
            return redirect("settings")
        form.add_error("code", "That code didn’t work. Codes change every 30 seconds and work once.")
    return render(request, "tracker/account/second_factor_off.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# Joining by invitation


class JoinForm(AccessibleErrorsMixin, forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only. You sign in with it.",
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="At least 10 characters; a few words you can remember work well.")
    password_again = forms.CharField(label="Password again",
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    time_zone = forms.ChoiceField(label="Your time zone",
                                  help_text="Reminders come at your own clock times. We filled in your phone’s zone.")
    acknowledged = forms.BooleanField(label="I have read who sees what", required=False)

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["time_zone"].choices = [(z, z) for z in sorted(known_zones())]
        if invitation.role == Invitation.Role.COUNSELOR:
            del self.fields["acknowledged"]
            del self.fields["time_zone"]

    def clean_username(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken. Try another.")
        return username

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password and data.get("password_again") and password != data["password_again"]:
            self.add_error("password_again", "The two passwords don’t match.")
        elif password:
            from django.contrib.auth import get_user_model

            try:
                password_validation.validate_password(password, get_user_model()(username=data.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("password", error)
        if "acknowledged" in self.fields and not data.get("acknowledged"):
            self.add_error("acknowledged", "Please read the notice above and tick the box to go on.")
        return data


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
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if invitation.role == Invitation.Role.COUNSELOR:
            return redirect("second_factor_setup")
        messages.success(request, "Welcome to Steady. This is Today: your check-in and anything due.")
        return redirect("today")
    return render(request, "tracker/account/join.html", {
        "form": form, "invitation": invitation, "notice": accounts.notice_text(invitation.program)})


# ---------------------------------------------------------------------------------------------
# The care team's invitations


class InvitationForm(AccessibleErrorsMixin, forms.Form):
    name = forms.CharField(label="First name or initials", max_length=60)
    email = forms.EmailField(label="Email (optional)", required=False,
                             help_text="Only for resetting a forgotten password later.")
    role = forms.ChoiceField(choices=Invitation.Role.choices, initial=Invitation.Role.PARTICIPANT,
                             widget=forms.RadioSelect, label="Invite as")

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["role"]


@never_cache
@require_http_methods(["GET", "POST"])
def invitations(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    counselor = access.caseload_counselor(request, resource="invitations")
    form = InvitationForm(request.POST or None, admin=counselor.is_program_admin)
    created = None
    if request.method == "POST" and form.is_valid():
        invitation, token = accounts.invitation_create(
            program=counselor.program, role=form.cleaned_data.get("role", Invitation.Role.PARTICIPANT),
            name=form.cleaned_data["name"], email=form.cleaned_data["email"], created_by=request.user)
        link = request.build_absolute_uri(reverse("join", args=[token]))
        created = {"invitation": invitation, "link": link,
                   "qr": segno.make(link, error="m").svg_inline(scale=5, omitsize=True, title=f"Invitation link for {invitation.name}")}
        form = InvitationForm(admin=counselor.is_program_admin)
    mine = Invitation.objects.filter(program=counselor.program)
    if not counselor.is_program_admin:
        mine = mine.filter(created_by=request.user)
    response = render(request, "tracker/care/invitations.html", {
        "form": form, "created": created, "invitations": mine[:50], "days": settings.INVITATION_DAYS})
    audit.record(request, action="write" if created else "read", resource="invitations",
                 object_id=created["invitation"].pk if created else "")
    return response


@never_cache
@require_http_methods(["POST"])
def invitation_revoke(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("care_invitations"))
    counselor = access.caseload_counselor(request, resource="invitations")
    invitation = Invitation.objects.filter(pk=pk, program=counselor.program).first()
    if invitation is None or not (counselor.is_program_admin or invitation.created_by_id == request.user.pk):
        raise Http404("No such invitation.")
    accounts.invitation_revoke(invitation=invitation)
    audit.record(request, action="write", resource="invitations", object_id=invitation.pk)
    messages.success(request, f"The link for {invitation.name} no longer works.")
    return redirect("care_invitations")


# ---------------------------------------------------------------------------------------------
# A participant's own account


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
        return download(fmt=fmt, name=name, data=accounts.my_export_json(participant))
    return download(fmt=fmt, name=name, rows=accounts.my_export_csv_rows(participant))


@signed_in
@require_http_methods(["POST"])
def sign_out_everywhere(request):
    end_all_sessions(request.user)
    logout(request)
    response = redirect(f"{reverse('signin')}?ended=everywhere")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


class CloseForm(AccessibleErrorsMixin, forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        # Through authenticate(), so guesses here count towards the sign-in lockout too.
        user = authenticate(self.request, username=self.request.user.get_username(),
                            password=self.cleaned_data["password"])
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError("That is not your password.")
        return ""


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
