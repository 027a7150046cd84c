"""Accounts: invitations and enrolment, a participant's own export, closing an account and
the purge that follows, and confirming a new email address."""

import datetime as dt
import hashlib
import secrets

from django.apps import apps
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import dates, episodes, measures, reminders
from .models import (
    AccountState,
    Counselor,
    Invitation,
    NoticeAcknowledgement,
    Participant,
    PushSubscription,
    Reminder,
    language_of,  # the language a person reads Steady in (defined beside AccountState)
)

NOTICE_VERSION = "2026-11-30.4"  # a new version asks everyone who acknowledged an older one to read it again
# One text, translated whole (a bilingual clinician reviews the catalog): the version names what
# the care team sees; the language it was read in is stored with the acknowledgement.
NOTICE = gettext_lazy("""\
Who sees what in Steady

- The counselors on your care team at {program} see what you log here: check-ins (sleep, stress, mood, wins), urges and what helped, weekly reflections, your weekend and safety plans, goals and tasks, and whether reminders reach you. They use it to support you, and may print a one-page summary of your week before a session.
- When you tap "I'd like to talk", they see that you asked, from where in Steady, and when.
- When your program asks you to fill in a short questionnaire (about your mood, worry, or alcohol and drug use), they see your answers and scores. They also see your answers to "Did you use alcohol or drugs today?" and "Took my medication today?", and the names and times of medications you enter.
- Steady is not watched around the clock. If an answer says you have had thoughts of being better off dead or of hurting yourself, your care team and the program's on-call contact are told at once, but they may not see it until they are next at work. If you might act on such thoughts, call or text 988, or call 911.
- A note you mark "Keep this note to myself" is never shown to them.
- The counselors who lead a group you belong to see, for that group, your name, whether you came (present, late, left early, excused or absent), whether you gave notice, and your group hours. They do not see your entries or why you missed a session: when you tell us "Can't make it" or "I missed it", the reason is seen only by your care team.
- Your care team records your time in the program: when you were admitted, your level of care, reviews of your treatment plan, and when and how your time in the program ended. After it ends, your former care team can still read your records but no longer change them.
- If you agree to check-ups after your time in the program, your former counselor (or, if they have left, the program's admins) sees your check-up answers and whether you asked to talk.
- The program's admins see figures about the whole program (how many people stay, come to group, and feel better). These figures never name you, and small numbers are hidden so nobody can be picked out.
- Each time someone on your care team opens, changes or exports your records, Steady writes it down, and you can see that list under Settings.
- Nobody outside your care team sees your records. Steady sends nothing to advertisers or analytics services.
- Your records are protected by federal rules for substance use treatment records (42 CFR Part 2) and by HIPAA.
- You can download everything, or close your account, under Settings. After you close it, your entries are deleted {days} days later; the list of who viewed them is kept. What your care team recorded about your treatment (admission, discharge, plan reviews, group attendance, aftercare plan) is the program's clinical record: the law requires the program to keep it for {years} years, then it is deleted.
""")


def notice_text(program):
    """The notice in the active language (the person's own, on their pages)."""
    return str(NOTICE).format(program=program.name, days=settings.ACCOUNT_RETENTION_DAYS,
                         years=program.record_retention_years)


def notice_outdated(user) -> bool:
    """Whether this person last acknowledged an older notice: what the care team sees has changed since."""
    latest = NoticeAcknowledgement.objects.filter(user=user).order_by("-acknowledged_at", "-pk").first()
    return latest is not None and latest.version != NOTICE_VERSION


def notice_acknowledged(user) -> bool:
    """Whether this person acknowledged the notice in use: questionnaires wait for it, because
    it is the version that says the care team sees their answers (tracker.responses)."""
    return NoticeAcknowledgement.objects.filter(user=user, version=NOTICE_VERSION).exists()


def notice_acknowledge(*, participant, now=None) -> NoticeAcknowledgement:
    """The participant read the notice in use (its exact text and version are kept)."""
    return NoticeAcknowledgement.objects.create(user=participant.user, version=NOTICE_VERSION,
                                                language=translation.get_language() or settings.LANGUAGE_CODE,
                                                text=notice_text(participant.program),
                                                acknowledged_at=now or timezone.now())


def set_language(user, code: str) -> None:
    """Remember the person's choice of language (one of settings.LANGUAGES)."""
    if code not in dict(settings.LANGUAGES):
        raise ValueError(code)
    AccountState.objects.update_or_create(user=user, defaults={"language": code})


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(*, program, role, name, email="", created_by, now=None):
    """A new invitation and its token. The token is returned once and only its hash is kept."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(12)
    invitation = Invitation.objects.create(
        program=program, role=role, name=name, email=email, token_hash=_hash(token), created_by=created_by,
        created_at=now, expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS))
    return invitation, token


def invitation_for_token(token, now=None):
    """The open invitation this token names, or None (unknown, tampered, used, revoked or expired)."""
    if not token or len(token) > 64:
        return None
    invitation = Invitation.objects.filter(token_hash=_hash(token)).select_related("program", "created_by").first()
    return invitation if invitation is not None and invitation.is_open(now) else None


def invitation_revoke(*, invitation, now=None):
    Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now())


class InvitationClosed(Exception):
    """Used, revoked or expired between opening the page and pressing the button."""


def enrol(*, token, username, password, time_zone, acknowledged, language=None, now=None):
    """Use an invitation: make the account (participant or counselor), once, in one transaction.
    `language` defaults to the one the join page was read in (the phone's, or the switch's)."""
    now = now or timezone.now()
    language = language if language in dict(settings.LANGUAGES) else (translation.get_language() or "")[:2]
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token)).first()
        if invitation is None or not invitation.is_open(now):
            raise InvitationClosed()
        user = get_user_model().objects.create_user(username=username, password=password, email=invitation.email,
                                                    first_name=invitation.name)
        AccountState.objects.create(user=user, language=language if language in dict(settings.LANGUAGES) else "")
        inviter = Counselor.objects.filter(user=invitation.created_by).first()
        if invitation.role == Invitation.Role.COUNSELOR:
            Counselor.objects.create(user=user, program=invitation.program)
        else:
            participant = Participant.objects.create(user=user, program=invitation.program, time_zone=time_zone)
            own_inviter = inviter if inviter is not None and inviter.program_id == invitation.program_id else None
            if own_inviter is not None:
                participant.care_team.add(own_inviter)
            # Joining is the admission: an open episode from today, at intensive outpatient (the
            # counselor changes the level from the person's page).
            episodes.admit(participant=participant, admitted_on=participant.local_today(now),
                           level_of_care=Participant.LevelOfCare.IOP, counselor=own_inviter, actor=invitation.created_by)
            if acknowledged:
                with translation.override(language or settings.LANGUAGE_CODE):
                    NoticeAcknowledgement.objects.create(user=user, version=NOTICE_VERSION,
                                                         language=language or settings.LANGUAGE_CODE,
                                                         text=notice_text(invitation.program), acknowledged_at=now)
            reminders.reminders_sync(participant=participant)
            # The intake questionnaires are due at once (issue 17).
            measures.plan_questionnaires(now=now, participants=[participant])
        invitation.used_at, invitation.used_by = now, user
        invitation.save(update_fields=["used_at", "used_by"])
    return user


# ---------------------------------------------------------------------------------------------
# The second factor


RECOVERY_CODES = 10


def second_factor_begin(*, user) -> TOTPDevice:
    """The authenticator app being set up: the person's pending (unconfirmed) device, made now if
    there is none. Two starts at once may make two; confirming one removes the other."""
    with transaction.atomic():
        return TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False)


def second_factor_confirm(*, device: TOTPDevice, code: str) -> list[str] | None:
    """Check a code from the pending authenticator app; if it matches, confirm the app and give the
    account new recovery codes (the old ones stop working), all in one transaction. Returns the
    codes, shown once, or None when the code did not match (django-otp counts the failure)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if device is None or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        StaticDevice.objects.filter(user=device.user).delete()
        static = StaticDevice.objects.create(user=device.user, name="Recovery codes")
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def second_factor_remove(*, user) -> None:
    """Turn two-step sign-in off: the authenticator apps and the recovery codes go together."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


# ---------------------------------------------------------------------------------------------
# Closing an account, and the purge


def close_account(*, participant, now=None):
    """Sign-in stops at once: the account is deactivated (which ends every session and token:
    tracker.security), reminders stop and notification subscriptions are removed. The data
    stays until the purge."""
    now = now or timezone.now()
    with transaction.atomic():
        user = participant.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        Participant.objects.filter(pk=participant.pk).update(closed_at=now)
        Reminder.objects.filter(participant=participant).update(enabled=False)
        PushSubscription.objects.filter(user=user).delete()


# What the care team recorded about a person is the clinic's clinical record, not the person's own
# entries: closing an account leaves these tables (and the Participant and User rows, reduced to a
# name) for Program.record_retention_years, and purge_clinical_records removes them after. Every
# other table linked to a participant or their user is theirs and goes in the first purge.
# FlagAcknowledgement is not here: it only says a counselor saw a flag raised by the person's own
# entries, and means nothing once those are gone.
CLINICAL_RECORD = ("tracker.Episode", "tracker.LevelChange", "tracker.PlanReview", "tracker.GoalReview",
                   "tracker.AftercarePlan", "tracker.Checkup", "tracker.Attendance", "tracker.GroupMembership")
# A purged account's username: "~" is a character no username chosen at enrolment can hold, so
# these never collide with a real one and mark the account as already purged.
PURGED_USERNAME_PREFIX = "~closed-"


def _owned_rows(participant):
    """(model, queryset) of every row the person owns that is not clinical record: the rows
    pointing at them or their user with a CASCADE link (a SET_NULL link, such as who made a
    row, is an attribution, not ownership), and the invitation that holds their name and email."""
    user_model = get_user_model()
    for model, field in tables_linked_to_participants():
        if model._meta.label in CLINICAL_RECORD or model in (Participant, user_model):
            continue
        remote = model._meta.get_field(field).remote_field
        if remote.on_delete is not models.CASCADE:
            continue
        owner = participant if remote.model is Participant else participant.user
        yield model, model._base_manager.filter(**{field: owner})
    yield Invitation, Invitation.objects.filter(used_by=participant.user)


def purge_closed_accounts(*, now=None):
    """For participants who closed their account ACCOUNT_RETENTION_DAYS ago or more: delete
    their own entries (every linked table but CLINICAL_RECORD) and their sign-in, and reduce
    their user to what the clinic's record needs: the name, an opaque username, no email, no
    usable password. Audit rows stay (they hold ids, not health data). Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.ACCOUNT_RETENTION_DAYS)
    purged = 0
    for participant in Participant.objects.filter(closed_at__lte=cutoff).select_related("user").exclude(
            user__username__startswith=PURGED_USERNAME_PREFIX):
        with transaction.atomic():
            for _model, rows in _owned_rows(participant):
                rows.delete()
            user = participant.user
            user.username = PURGED_USERNAME_PREFIX + secrets.token_hex(8)
            user.email = ""
            user.set_unusable_password()
            user.is_active = False
            user.save(update_fields=["username", "email", "password", "is_active"])
        purged += 1
    return purged


def record_purge_on(participant):
    """The day the clinical record of a closed account may go: Program.record_retention_years
    after the later of the closing day and the last discharge. None while an episode is open
    or the account is not closed."""
    if participant.closed_at is None:
        return None
    discharges = list(participant.episodes.values_list("discharged_on", flat=True))
    if None in discharges:
        return None
    closed_on = participant.local_today(participant.closed_at)  # discharges are the program's local days
    ended = max([closed_on, *discharges])
    return dates.years_from(ended, participant.program.record_retention_years)


def purge_clinical_records(*, now=None):
    """Remove everything left of a person (their clinical record, their participant and user
    rows) once their program's record_retention_years have passed since the later of their
    account closing and their last discharge. Their own entries went in purge_closed_accounts,
    which runs first so that nothing is skipped. Open episodes never purge. Returns how many."""
    now = now or timezone.now()
    purge_closed_accounts(now=now)
    purged = 0
    candidates = Participant.objects.filter(closed_at__isnull=False,
                                            user__username__startswith=PURGED_USERNAME_PREFIX)
    for participant in candidates.select_related("user", "program"):
        due = record_purge_on(participant)
        if due is None or due > participant.local_today(now):
            continue
        with transaction.atomic():
            user = participant.user
            participant.delete()  # cascades to the clinical record
            user.delete()
        purged += 1
    return purged


def tables_linked_to_participants():
    """Every model with a foreign key or one-to-one link to Participant or to the user model,
    but the audit log: what a participant's export must cover and the purge must empty.
    (Rows linked through these, such as deliveries through reminders, go with them.)"""
    user_model = get_user_model()
    linked = []
    for model in apps.get_models():
        if model._meta.label == "tracker.AuditEvent":
            continue
        for field in model._meta.get_fields():
            if (field.many_to_one or field.one_to_one) and field.concrete \
                    and field.related_model in (Participant, user_model):
                linked.append((model, field.name))
    return linked


# ---------------------------------------------------------------------------------------------
# A person's email: stored only once they open the link sent to it.

EMAIL_CONFIRM_SALT = "steady.email-confirm"
EMAIL_CONFIRM_MAX_AGE = dt.timedelta(days=2)
EMAIL_CONFIRM_SUBJECT = gettext_lazy("Confirm your email for Steady")   # neutral: it may show on a lock screen
EMAIL_CONFIRM_BODY = gettext_lazy("To use this address for Steady, open this link within 2 days:\n\n%(link)s\n\n"
                                  "If you did not ask for this, you can ignore this email.\n")


class EmailLinkInvalid(ValueError):
    """The link is expired, changed, for someone else, or older than the address now on file."""


def email_change_request(*, user, email: str, link_for) -> None:
    """Send a confirmation link to `email`, in the person's own language; `link_for(token)` makes
    the page's full address. The token names the person, the new address and the one on file now,
    so a link for an older change cannot undo a newer one."""
    token = signing.dumps({"user": user.pk, "email": email, "was": user.email}, salt=EMAIL_CONFIRM_SALT)
    with translation.override(language_of(user)):
        subject, body = str(EMAIL_CONFIRM_SUBJECT), EMAIL_CONFIRM_BODY % {"link": link_for(token)}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset, its email written in the account holder's language (not the
    language of the page the request came from: anyone may type an address there)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        with translation.override(language_of(context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name=html_email_template_name)


def email_confirm(*, user, token: str) -> str:
    """Store the address the link was sent to, and return it."""
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.BadSignature as error:   # SignatureExpired is one too
        raise EmailLinkInvalid from error
    if data.get("user") != user.pk or data.get("was") != user.email:
        raise EmailLinkInvalid
    with transaction.atomic():
        user.email = data["email"]
        user.save(update_fields=["email"])
        AccountState.objects.update_or_create(user=user, defaults={"email_confirmed": user.email})
    return user.email


def email_is_confirmed(user) -> bool:
    """True when the address on the account is one the person confirmed by link (an address
    typed on an invitation by staff is not, until the person confirms it)."""
    return bool(user.email) and AccountState.objects.filter(user=user, email_confirmed=user.email).exists()
