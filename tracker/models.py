"""Steady's domain: fields, constraints, and calculations on a row's own fields.

All stored instants are UTC. A participant's wall-clock times (bed time, the local date of a
check-in) are kept as local values together with the participant's IANA zone, and turned
into instants with zoneinfo where a duration is needed.
"""

import collections
import datetime as dt
import functools
import re
import typing
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import dates, instruments

UTC = dt.UTC
NOON = dt.time(12, 0)
# An urge logged a few minutes "in the future" is a phone clock running fast, not a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)


@functools.cache
def known_zones():
    """The IANA zone names this machine knows (read from disk once)."""
    return frozenset(zoneinfo.available_timezones())


def zone_label(name):
    """"America/Argentina/Buenos_Aires" as a person looks for it: "Buenos Aires (America, Argentina)"."""
    *region, city = name.split("/")
    city = city.replace("_", " ")
    return f"{city} ({', '.join(part.replace('_', ' ') for part in region)})" if region else city


def zone_for_city(text):
    """The zone whose city is `text` (as typed, any case), when exactly one zone has that city."""
    wanted = text.strip().casefold()
    found = [name for name in known_zones() if "/" in name and name.rsplit("/", 1)[1].replace("_", " ").casefold() == wanted]
    return found[0] if len(found) == 1 else None


def validate_time_zone(value):
    if value not in known_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone we know. Use a name like America/New_York."),
            code="invalid_time_zone",
            params={"value": value},
        )


def week_start(day):
    """The Monday of the week that holds `day` (weeks run Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def is_quiet(quiet_start, quiet_end, zone, instant):
    """Is this instant inside quiet hours (which may run past midnight) in this zone?"""
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return False
    clock = instant.astimezone(zone).time()
    if quiet_start < quiet_end:
        return quiet_start <= clock < quiet_end
    return clock >= quiet_start or clock < quiet_end


HARM_REDUCTION_DEFAULT = _(
    "After a break, your body's tolerance is lower than it was. If you use, don't use alone, "
    "start with less, and keep naloxone near."
)


def office_weekdays_default():
    return [0, 1, 2, 3, 4]


def group_hours_targets_default():
    return {"iop": 9}


def validate_group_hours_targets(value):
    levels = {"php", "iop", "op", "aftercare"}
    if not isinstance(value, dict) or not all(
        key in levels and isinstance(hours, (int, float)) and not isinstance(hours, bool) and 0 <= hours <= 60
        for key, hours in value.items()
    ):
        raise ValidationError(_("Give whole or half hours from 0 to 60 per level of care."), code="invalid")


# The BAM's use (4, 5, 6), craving (8) and confidence (9) items.
CHECKUP_ITEMS_DEFAULT = ("4", "5", "6", "8", "9")


def checkup_items_default():
    return list(CHECKUP_ITEMS_DEFAULT)


def checkup_risk_default():
    # Any day of use; cravings "considerably" or more; confidence "slightly" or less.
    return {"4": {"at_least": 1}, "5": {"at_least": 1}, "6": {"at_least": 1}, "8": {"at_least": 3},
            "9": {"at_most": 1}}


def validate_checkup_items(value):
    known = {item.key for item in instruments.BAM.items}
    if not isinstance(value, list) or not all(isinstance(key, str) and key in known for key in value) \
            or len(set(value)) != len(value):
        raise ValidationError(_("Pick BAM items by number, each once."), code="invalid")


def validate_checkup_risk(value):
    items = {item.key: item for item in instruments.BAM.items}
    if not isinstance(value, dict):
        raise ValidationError(_("Give a rule per BAM item."), code="invalid")
    for key, rule in value.items():
        if key not in items or not isinstance(rule, dict) or not rule or \
                not set(rule) <= {"at_least", "at_most"} or \
                not all(isinstance(limit, int) and not isinstance(limit, bool) and 0 <= limit <= 4
                        for limit in rule.values()):
            raise ValidationError(_("Give each BAM item a rule with \"at_least\" or \"at_most\" from 0 to 4."),
                                  code="invalid")


class Program(models.Model):
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    # Shown once after a participant logs a setback; the program can reword it or turn it off.
    harm_reduction_on = models.BooleanField(_("show a harm-reduction line after a setback"), default=True)
    harm_reduction_text = models.CharField(_("harm-reduction line"), max_length=300, blank=True,
                                           help_text=_("Empty uses Steady's own wording."))
    # The schedule: group sessions are planned, shown and counted in the program's own zone.
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.DEFAULT_PARTICIPANT_TIME_ZONE,
                                 validators=[validate_time_zone],
                                 help_text=_("An IANA time zone name, such as America/New_York."))
    phone = models.CharField(_("main phone number"), max_length=30, blank=True)
    office_weekdays = models.JSONField(_("office days"), default=office_weekdays_default, blank=True,
                                       help_text=_("0 is Monday, 6 is Sunday."))
    office_opens = models.TimeField(_("office opens"), default=dt.time(9, 0))
    office_closes = models.TimeField(_("office closes"), default=dt.time(17, 0))
    # Weekly group hours a participant is expected to attend, per level of care ({"iop": 9}).
    group_hours_targets = models.JSONField(_("group hours per week"), default=group_hours_targets_default,
                                           blank=True, validators=[validate_group_hours_targets])
    # Said to a person who missed group because they used; the program can reword it.
    still_welcome_text = models.CharField(_("words after \"I used\""), max_length=300, blank=True,
                                          help_text=_("Empty uses Steady's own wording."))
    # Measurement-based care (tracker.measures).
    questionnaire_window_days = models.PositiveSmallIntegerField(
        _("days a questionnaire stays open"), default=3, validators=[MinValueValidator(1), MaxValueValidator(14)])
    # The BAM's reuse terms were not found: it stays off until a program admin confirms them.
    bam_terms_confirmed_at = models.DateTimeField(_("BAM reuse terms confirmed"), null=True, blank=True)
    bam_terms_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                               blank=True, related_name="+")
    bam_risk_rise = models.PositiveSmallIntegerField(
        _("flag a BAM risk score up by this many points"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)])
    # Urgent notices: who is told at once, and when the program admin is told nobody answered.
    on_call_email = models.EmailField(_("on-call email"), blank=True,
                                      help_text=_("Told at once, at any hour, about a risky answer."))
    urgent_ack_minutes = models.PositiveSmallIntegerField(
        _("tell the program admin when nobody acknowledges within (minutes)"), default=60,
        validators=[MinValueValidator(5), MaxValueValidator(1440)])
    # Other urgent flags that notify at once too ("use", "talk"); the risky answer always does.
    urgent_notify_flags = models.JSONField(_("also notify at once for"), default=list, blank=True)
    # Episodes and aftercare (tracker.episodes, tracker.aftercare).
    # What the care team recorded (episodes, reviews, attendance, aftercare plans) is the clinic's
    # clinical record: kept this many years after the person's last episode ended or their account
    # closed, then purged. State law decides the period; Steady cannot.
    record_retention_years = models.PositiveSmallIntegerField(
        _("keep the clinical record for (years)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("State law decides how long: check it before you change this."))
    # Aftercare check-ups: BAM item numbers asked ("4", "8", ...), every so many days for so many months.
    checkup_items = models.JSONField(_("check-up questions (BAM items)"), default=checkup_items_default, blank=True,
                                     validators=[validate_checkup_items])
    # A risky check-up answer, per BAM item: {"4": {"at_least": 1}, "9": {"at_most": 1}}.
    checkup_risk = models.JSONField(_("a risky check-up answer"), default=checkup_risk_default, blank=True,
                                    validators=[validate_checkup_risk])
    checkup_every_days = models.PositiveSmallIntegerField(
        _("check-ups every (days)"), default=30, validators=[MinValueValidator(7), MaxValueValidator(92)])
    checkup_months = models.PositiveSmallIntegerField(
        _("check-ups for (months)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)])

    @property
    def bam_on(self):
        return self.bam_terms_confirmed_at is not None

    def next_working_time(self, now=None):
        """When the care team is next at work, as an aware instant in the program's zone: `now`
        itself during office hours, else the next office day's opening (closure days skipped)."""
        local = (now or timezone.now()).astimezone(self.zone)
        weekdays = set(self.office_weekdays or [])
        if not weekdays or self.office_opens >= self.office_closes:
            return None
        closed = set(self.closure_days.filter(date__gte=local.date(), date__lte=local.date() + dt.timedelta(days=60))
                     .values_list("date", flat=True))
        for offset in range(61):
            day = local.date() + dt.timedelta(days=offset)
            if day.weekday() not in weekdays or day in closed:
                continue
            opens = dt.datetime.combine(day, self.office_opens, tzinfo=self.zone)
            closes = dt.datetime.combine(day, self.office_closes, tzinfo=self.zone)
            if offset == 0 and opens <= local < closes:
                return local
            if local < opens:
                return opens
        return None

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def group_hours_target(self, level_of_care):
        """The weekly group hours expected at a level of care, or None where the program sets none."""
        return (self.group_hours_targets or {}).get(level_of_care)

    def __str__(self):
        return self.name


class Counselor(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counselor")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="counselors")
    # Urgent notices (a risky answer) come by email always, and also as a push where this is on.
    urgent_push = models.BooleanField(_("urgent notices on this device too (notifications)"), default=False)
    is_program_admin = models.BooleanField(
        "program admin", default=False, help_text=_("Program admins can read the program's audit log.")
    )
    # The caseload, the audit log and the invitations are shown in the counselor's own zone; a
    # participant's pages in that participant's zone.
    time_zone = models.CharField(
        max_length=64,
        default=settings.DEFAULT_PARTICIPANT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, such as America/New_York."),
    )

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class Participant(models.Model):
    class LevelOfCare(models.TextChoices):
        PHP = "php", _("Partial hospitalization")
        IOP = "iop", _("Intensive outpatient")
        OP = "op", _("Outpatient")
        AFTERCARE = "aftercare", _("Aftercare")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participant")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="participants")
    time_zone = models.CharField(
        max_length=64,
        default=settings.DEFAULT_PARTICIPANT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, such as America/New_York."),
    )
    care_team = models.ManyToManyField(Counselor, related_name="caseload", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person closes their account: sign-in stops at once, and the purge job removes
    # their health data ACCOUNT_RETENTION_DAYS later (audit rows stay).
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Reminder settings, in the person's own clock time. An empty time turns that reminder off.
    checkin_reminder_at = models.TimeField(_("daily check-in reminder"), null=True, blank=True, default=dt.time(20, 0))
    high_risk_lead_min = models.PositiveSmallIntegerField(
        _("minutes before a high-risk time"), null=True, blank=True, default=0, validators=[MaxValueValidator(240)],
        help_text=_("0 reminds at the start; empty turns these reminders off."),
    )
    weekend_plan_reminder_at = models.TimeField(_("Friday: plan the weekend"), null=True, blank=True, default=dt.time(16, 0))
    weekend_review_reminder_at = models.TimeField(_("Monday: how did the weekend go"), null=True, blank=True,
                                                  default=dt.time(10, 0))
    task_reminder_at = models.TimeField(_("on the day a task is due"), null=True, blank=True, default=dt.time(9, 0))
    class SessionReminder(models.TextChoices):
        OFF = "off", _("Off")
        MIN_30 = "30", _("30 minutes before")
        MIN_60 = "60", _("1 hour before")
        MIN_120 = "120", _("2 hours before")
        EVENING_BEFORE = "evening", _("At 19:00 the day before")

    session_reminder = models.CharField(_("group session reminder"), max_length=8,
                                        choices=SessionReminder.choices, default=SessionReminder.MIN_60)
    quiet_start = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet until"), null=True, blank=True)
    remind_by_push = models.BooleanField(_("on this phone (notifications)"), default=True)
    remind_by_email = models.BooleanField(_("by email when a notification can't be sent"), default=True)

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self, now=None):
        return (now or timezone.now()).astimezone(self.zone)

    def local_today(self, now=None):
        return self.local_now(now).date()

    def is_quiet(self, instant):
        return is_quiet(self.quiet_start, self.quiet_end, self.zone, instant)

    # The level of care is the open episode's: one source of truth (tracker.episodes).
    @functools.cached_property
    def open_episode(self):
        return self.episodes.filter(discharged_on__isnull=True).first()

    @property
    def level_of_care(self):
        """The open episode's level of care; None between episodes (aftercare) or before any."""
        episode = self.open_episode
        return episode.level_of_care if episode else None

    def get_level_of_care_display(self):
        level = self.level_of_care
        return self.LevelOfCare(level).label if level else ""

    @functools.cached_property
    def language(self):
        """The language this person reads Steady in (their choice, else the site's default): the
        care team sees it on the person's page, so they know to call in Spanish."""
        chosen = AccountState.objects.filter(user_id=self.user_id).values_list("language", flat=True).first() or ""
        return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    @property
    def in_aftercare(self):
        """Discharged, with no open episode: the app stays theirs, the care team reads only."""
        return self.open_episode is None and self.episodes.exists()


class Trigger(models.TextChoices):
    STRESS = "stress", _("Stress")
    CONFLICT = "conflict", _("Conflict")
    LONELY = "lonely", _("Lonely")
    BORED = "bored", _("Bored")
    TIRED = "tired", _("Tired")
    HUNGRY = "hungry", _("Hungry")
    ANGRY = "angry", _("Angry")
    ANXIOUS = "anxious", _("Anxious")
    SAD = "sad", _("Sad")
    PAIN = "pain", _("Pain")
    MONEY = "money", _("Money worries")
    PEOPLE = "people", _("Certain people")
    PLACES = "places", _("Certain places")
    CELEBRATION = "celebration", _("Celebrating")
    PAYDAY = "payday", _("Payday")
    SAW_IT = "saw_it", _("Saw or smelled it")


class Strategy(models.TextChoices):
    CALLED = "called", _("Called someone")
    TEXTED = "texted", _("Texted someone")
    WALKED = "walked", _("Went for a walk")
    EXERCISE = "exercise", _("Exercise")
    BREATHING = "breathing", _("Slow breathing")
    RODE_IT_OUT = "rode_it_out", _("Rode it out")
    ATE = "ate", _("Ate something")
    SHOWER = "shower", _("Shower")
    LEFT = "left", _("Left the place")
    MUSIC = "music", _("Music")
    PRAYER = "prayer", _("Prayer or meditation")
    DISTRACTION = "distraction", _("Something absorbing")
    MEETING = "meeting", _("Went to a meeting")
    PLAYED_IT_FORWARD = "played_forward", _("Played the tape forward")
    SAFETY_PLAN = "safety_plan", _("Used my safety plan")


def _check_choice_list(value, choices):
    if not isinstance(value, list):
        raise ValidationError(_("Expected a list."), code="invalid")
    unknown = [str(item) for item in value if item not in choices.values]
    if unknown:
        raise ValidationError(
            _("Not one of the choices: %(unknown)s."), code="invalid_choice", params={"unknown": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each choice can be picked once."), code="duplicate")


def validate_triggers(value):
    _check_choice_list(value, Trigger)


def validate_strategies(value):
    _check_choice_list(value, Strategy)


# Text over a field's limit, refused (never cut) by the pages' forms and the API alike.
TOO_LONG = _("Use at most %(limit_value)d characters (this is %(show_value)d). Nothing was cut: "
             "shorten it and save again.")

# Said by the models' validators and, in the same words, by the API's list fields (serializers.py).
TOO_MANY_WINS = _("Up to %(max)s wins, please.")
TOO_MANY_LINES = _("Up to %(max)s lines here, please.")
TOO_MANY_CONTACTS = _("Up to %(max)s here, please.")
NEEDS_A_NAME = _("Each one needs a name.")


def validate_wins(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Expected a list of short lines."), code="invalid")
    if len(value) > WeeklyReflection.MAX_WINS:
        raise ValidationError(TOO_MANY_WINS, code="too_many", params={"max": WeeklyReflection.MAX_WINS})
    for line in value:
        if len(line) > WeeklyReflection.MAX_WIN_LENGTH:
            raise ValidationError(
                _("Keep each win under %(max)s characters (one is %(length)s)."),
                code="too_long",
                params={"max": WeeklyReflection.MAX_WIN_LENGTH, "length": len(line)},
            )


class PrivateNoteMixin:
    """For entries with a note the participant may keep to themselves."""

    @property
    def shared_note(self):
        """The note as the care team may see it: empty when marked private."""
        return "" if self.note_private else self.note


def said(text, *codes):
    """The same words for each way a value can be wrong: {code: text}. Each entry's MESSAGES are
    the one place its fields' messages live; the pages' forms (tracker/web/forms.py) and the API's
    serializers (tracker/api/serializers.py) both take them, so a refusal reads the same from
    either. The codes are Django's and DRF's for a value missing, badly formed or out of range."""
    return dict.fromkeys(codes, text)


MISSING = ("required", "null", "blank")
NUMBER = ("invalid", "min_value", "max_value", "max_string_length", "invalid_choice")
WHEN = ("invalid", "date", "datetime", "make_aware")
PICK_ONE = said(_("Pick one of the answers shown."), "invalid_choice")
A_DAY = said(_("Pick a day from the calendar."), *MISSING, *WHEN)
A_TIME = said(_("Enter a time like 23:30."), "invalid")


class Entry(models.Model):
    """What every participant entry shares: a client-made id, an owner, and timestamps.

    The id is made by the client (phone or form) before the first save, so writing the same
    entry twice, from an offline outbox or a double tap, can never make two rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    # The fields a participant writes; an API PUT replaces exactly these.
    WRITABLE = ()
    # The field that allows one entry per participant and period, if any.
    ONE_PER = None
    # Each field's words for a refused value (see said()).
    MESSAGES = {}

    class Meta:
        abstract = True

    def writable_values(self):
        return {name: getattr(self, name) for name in self.WRITABLE}

    def conflicting_id(self):
        """The id of another entry of this participant that holds the same period, if any."""
        if self.ONE_PER is None:
            return None
        return (
            type(self)
            .objects.filter(participant_id=self.participant_id, **{self.ONE_PER: getattr(self, self.ONE_PER)})
            .exclude(pk=self.pk)
            .values_list("pk", flat=True)
            .first()
        )

    def save(self, *args, **kwargs):
        # A row never changed since it was made has updated_at == created_at exactly: that is
        # how a replayed create is told from an update (see tracker.api.participant.EntryDetail.put).
        self.updated_at = self.created_at if self._state.adding else timezone.now()
        super().save(*args, **kwargs)

    def prepare_insert(self):
        """What save() does to a new row before writing it, for services._entry_insert, which
        writes it with a statement of its own."""
        self.updated_at = self.created_at

    @property
    def never_updated(self):
        return self.updated_at == self.created_at


class UsedToday(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")
    SKIP = "skip", _("I'd rather not say")


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", _("Alcohol")
    CANNABIS = "cannabis", _("Cannabis")
    OPIOIDS = "opioids", _("Opioids (heroin, fentanyl, pills not as prescribed)")
    STIMULANTS = "stimulants", _("Stimulants (cocaine, meth, pills not as prescribed)")
    SEDATIVES = "sedatives", _("Sedatives (benzos, sleeping pills not as prescribed)")
    OTHER = "other", _("Something else")


def validate_substances(value):
    _check_choice_list(value, Substance)


class TookMedication(models.TextChoices):
    YES = "yes", _("Yes, all of it")
    SOME = "some", _("Missed some")
    NO = "no", _("No")


class CheckIn(PrivateNoteMixin, Entry):
    """The daily check-in: last night's sleep (Consensus Sleep Diary), stress, mood, a win.

    `date` is the participant's local date of the morning the night ended. Clock times are
    local; a time from noon to midnight belongs to the evening before `date`, a time before
    noon to `date` itself, so "23:30 to 06:45" is one night across midnight.
    """

    class Meals(models.TextChoices):
        YES = "yes", _("Yes")
        SOME = "some", _("Some")
        NO = "no", _("No")

    class Mood(models.IntegerChoices):
        VERY_LOW = 1, _("Very low")
        LOW = 2, _("Low")
        OKAY = 3, _("Okay")
        GOOD = 4, _("Good")
        VERY_GOOD = 5, _("Very good")

    class Quality(models.IntegerChoices):
        VERY_POOR = 1, _("Very poor")
        POOR = 2, _("Poor")
        FAIR = 3, _("Fair")
        GOOD = 4, _("Good")
        VERY_GOOD = 5, _("Very good")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()

    in_bed_at = models.TimeField(_("got into bed"), null=True, blank=True)
    tried_sleep_at = models.TimeField(_("tried to sleep"), null=True, blank=True)
    sleep_latency_min = models.PositiveSmallIntegerField(
        _("minutes to fall asleep"), null=True, blank=True, validators=[MaxValueValidator(720)]
    )
    awakenings = models.PositiveSmallIntegerField(
        _("times woke in the night"), null=True, blank=True, validators=[MaxValueValidator(50)]
    )
    awake_min = models.PositiveSmallIntegerField(
        _("minutes awake in the night"), null=True, blank=True, validators=[MaxValueValidator(720)]
    )
    final_wake_at = models.TimeField(_("woke for the day"), null=True, blank=True)
    out_of_bed_at = models.TimeField(_("got out of bed"), null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(choices=Quality.choices, null=True, blank=True)

    # Derived from the diary fields on every save. Stored, not computed on read, because the
    # progress and caseload charts average them over months of nights in SQL.
    time_in_bed_min = models.PositiveIntegerField(null=True, editable=False)
    total_sleep_min = models.PositiveIntegerField(null=True, editable=False)
    sleep_efficiency = models.FloatField(null=True, editable=False)

    stress = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    mood = models.PositiveSmallIntegerField(_("mood"), choices=Mood.choices, null=True, blank=True)
    regular_meals = models.CharField(max_length=4, choices=Meals.choices, blank=True)
    small_win = models.CharField(max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    note_private = models.BooleanField(_("keep this note to myself"), default=False,
                                       help_text=_("A private note is never shown to the care team."))
    # True when the bed and wake times are the person's usual ones, confirmed with one tap
    # ("Same as usual"), rather than typed: a counselor can tell a default from a report.
    usual_times = models.BooleanField(_("same as usual"), default=False)
    # Use and medication, optional and without judgement (issue 17).
    used_today = models.CharField(_("Did you use alcohol or drugs today (not counting medicines taken as "
                                    "prescribed)?"), max_length=8, choices=UsedToday.choices, blank=True)
    substances = models.JSONField(_("what you used"), default=list, blank=True, validators=[validate_substances])
    took_medication = models.CharField(_("Took my medication today?"), max_length=8,
                                       choices=TookMedication.choices, blank=True)
    doses_missed = models.PositiveSmallIntegerField(_("doses missed"), null=True, blank=True,
                                                    validators=[MaxValueValidator(24)])

    WRITABLE = (
        "date",
        "usual_times",
        "in_bed_at",
        "tried_sleep_at",
        "sleep_latency_min",
        "awakenings",
        "awake_min",
        "final_wake_at",
        "out_of_bed_at",
        "sleep_quality",
        "stress",
        "mood",
        "regular_meals",
        "small_win",
        "note",
        "note_private",
        # Use and medication (issue 17): optional, and "I'd rather not say" is a full answer.
        "used_today",
        "substances",
        "took_medication",
        "doses_missed",
    )
    ONE_PER = "date"
    MESSAGES = {
        "date": A_DAY,
        **dict.fromkeys(("in_bed_at", "tried_sleep_at", "final_wake_at", "out_of_bed_at"), A_TIME),
        "sleep_latency_min": said(_("Enter minutes from 0 to 720 (12 hours)."), *NUMBER),
        "awake_min": said(_("Enter minutes from 0 to 720 (12 hours)."), *NUMBER),
        "awakenings": said(_("Enter how many times, from 0 to 50."), *NUMBER),
        "sleep_quality": PICK_ONE,
        "mood": PICK_ONE,
        "regular_meals": PICK_ONE,
        "stress": said(_("Pick your stress from 0 to 10."), *NUMBER),
        "used_today": PICK_ONE,
        "took_medication": PICK_ONE,
        "substances": said(_("Pick from the list shown."), "invalid", "invalid_choice", "not_a_list", "duplicate"),
        "doses_missed": said(_("Enter how many doses you missed, from 1 to 24."), *NUMBER),
    }

    class Meta:
        # Also the index behind "this participant's check-ins between two dates".
        constraints = [
            models.UniqueConstraint(fields=["participant", "date"], name="checkin_one_per_day"),
            models.CheckConstraint(condition=models.Q(stress__lte=10), name="checkin_stress_0_10"),
        ]
        ordering = ["-date"]

    def __str__(self):
        return f"Check-in {self.date}"


    def _on_night(self, time):
        """The UTC instant of a clock time on the night that ends on the morning of `date`."""
        day = self.date - dt.timedelta(days=1) if time >= NOON else self.date
        return dt.datetime.combine(day, time, tzinfo=self.participant.zone).astimezone(UTC)

    @property
    def has_sleep(self):
        return self.in_bed_at is not None and self.final_wake_at is not None

    @property
    def is_quick(self):
        """True when the detailed diary fields hold only what quick mode fills in."""
        return (
            self.tried_sleep_at in (None, self.in_bed_at)
            and not self.sleep_latency_min
            and not self.awakenings
            and not self.awake_min
            and self.out_of_bed_at in (None, self.final_wake_at)
        )

    def fill_quick_mode(self):
        """Quick mode gives bed time, wake time and quality; the diary's other fields follow."""
        if not self.has_sleep:
            return
        if self.tried_sleep_at is None:
            self.tried_sleep_at = self.in_bed_at
        if self.out_of_bed_at is None:
            self.out_of_bed_at = self.final_wake_at
        for name in ("sleep_latency_min", "awakenings", "awake_min"):
            if getattr(self, name) is None:
                setattr(self, name, 0)

    def sleep_metrics(self):
        """(time in bed, total sleep time) in minutes and sleep efficiency (0-1), or Nones.

        TIB = out of bed - into bed; TST = final awakening - tried to sleep - latency - minutes
        awake; SE = TST / TIB. Instants are real ones in the participant's zone, so a night
        across a daylight-saving change is an hour shorter or longer, as it was.
        """
        if not self.has_sleep or self.tried_sleep_at is None or self.out_of_bed_at is None:
            return None, None, None
        tib = (self._on_night(self.out_of_bed_at) - self._on_night(self.in_bed_at)).total_seconds() / 60
        asleep_span = (self._on_night(self.final_wake_at) - self._on_night(self.tried_sleep_at)).total_seconds() / 60
        tst = asleep_span - (self.sleep_latency_min or 0) - (self.awake_min or 0)
        if tib <= 0 or tst < 0:
            return None, None, None
        return round(tib), round(tst), round(tst / tib, 4)

    # Any one of these makes a check-in: an empty one would count as a check-in day and hide the
    # care team's "no check-in" flag. (The date and the private-note switch are not answers.)
    ANSWERS = ("in_bed_at", "tried_sleep_at", "sleep_latency_min", "awakenings", "awake_min", "final_wake_at",
               "out_of_bed_at", "sleep_quality", "stress", "mood", "regular_meals", "small_win", "note",
               "used_today", "took_medication")
    EMPTY_MESSAGE = _("Add at least one answer: how you slept, your stress, a win or a note.")

    @property
    def is_empty(self):
        return all(getattr(self, name) in (None, "") or (isinstance(getattr(self, name), str)
                                                        and not getattr(self, name).strip())
                   for name in self.ANSWERS)

    def clean(self):
        # Every problem at once: an empty check-in on a wrong day hears about both.
        errors = {NON_FIELD_ERRORS: [ValidationError(self.EMPTY_MESSAGE, code="empty")]} if self.is_empty else {}
        if self.date and self.participant_id and self.date > self.participant.local_today():
            errors["date"] = gettext("That day hasn’t happened yet. Pick today or an earlier day.")
        elif self.date and (problem := dates.entry_day_error(self.date)):
            errors["date"] = problem
        sleep_given = [name for name in ("in_bed_at", "tried_sleep_at", "final_wake_at", "out_of_bed_at") if getattr(self, name)]
        if sleep_given and self.in_bed_at is None:
            errors["in_bed_at"] = gettext("Add the time you got into bed, or clear the other sleep times.")
        if sleep_given and self.final_wake_at is None:
            errors["final_wake_at"] = gettext("Add the time you woke for the day, or clear the other sleep times.")
        errors.update(self._use_and_medication_errors())
        if errors or not self.has_sleep or not self.date:
            if errors:
                raise ValidationError(errors)
            return
        self.fill_quick_mode()
        bed, tried = self._on_night(self.in_bed_at), self._on_night(self.tried_sleep_at)
        wake, out = self._on_night(self.final_wake_at), self._on_night(self.out_of_bed_at)
        if tried < bed:
            errors["tried_sleep_at"] = gettext("This is before you got into bed.")
        if wake <= tried:
            errors["final_wake_at"] = (
                gettext("Your wake time is before your bed time. Times from noon to midnight count as the evening before.")
            )
        elif out < wake:
            errors["out_of_bed_at"] = gettext("This is before you woke for the day.")
        elif (self.sleep_latency_min or 0) + (self.awake_min or 0) > (wake - tried).total_seconds() / 60:
            errors["awake_min"] = gettext("Minutes to fall asleep plus minutes awake add up to more than the night.")
        if errors:
            raise ValidationError(errors)

    def _use_and_medication_errors(self):
        """What was used goes with "Yes" only, and a number of missed doses with "Missed some" only.
        Refused, never cleared: a body that says "No" and names a substance contradicts itself,
        and the page (which hides and leaves out the follow-up unless it applies) never sends one."""
        errors = {}
        if self.substances and self.used_today != UsedToday.YES:
            errors["substances"] = ValidationError(
                _("You can say what you used only with “Yes”. Clear these, or answer “Yes”."), code="not_yes")
        if self.doses_missed is not None and self.took_medication != TookMedication.SOME:
            errors["doses_missed"] = ValidationError(
                _("A number of missed doses goes with “Missed some” only. Clear it, or pick “Missed some”."),
                code="not_some")
        elif self.doses_missed == 0:
            errors["doses_missed"] = ValidationError(
                _("Enter how many doses you missed, from 1 to 24."), code="min_value")
        return errors

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def prepare_insert(self):
        self.derive()
        super().prepare_insert()

    def derive(self):
        self.fill_quick_mode()
        self.time_in_bed_min, self.total_sleep_min, self.sleep_efficiency = self.sleep_metrics()


class Urge(PrivateNoteMixin, Entry):
    """An urge: when, how strong, how long it lasted, what set it off, what helped, how it ended."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("It passed")
        REACHED_OUT = "reached_out", _("I reached out")
        USED = "used", _("I used (a setback)")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="urges")
    occurred_at = models.DateTimeField(_("when"))
    intensity = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(10)])
    duration_min = models.PositiveSmallIntegerField(
        "how long it lasted (minutes)", null=True, blank=True, validators=[MaxValueValidator(1440)]
    )
    triggers = models.JSONField(default=list, blank=True, validators=[validate_triggers])
    trigger_other = models.CharField(_("other trigger"), max_length=200, blank=True)
    helped = models.JSONField(_("what helped"), default=list, blank=True, validators=[validate_strategies])
    helped_other = models.CharField(_("something else that helped"), max_length=200, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    note_private = models.BooleanField(_("keep this note to myself"), default=False,
                                       help_text=_("A private note is never shown to the care team."))

    WRITABLE = (
        "occurred_at",
        "intensity",
        "duration_min",
        "triggers",
        "trigger_other",
        "helped",
        "helped_other",
        "outcome",
        "note",
        "note_private",
    )
    MESSAGES = {
        "intensity": said(_("Pick how strong it was, from 0 to 10."), *MISSING, *NUMBER),
        "occurred_at": said(_("Enter the day and time it happened."), *MISSING, *WHEN),
        "duration_min": said(_("Pick how long it lasted (up to a day)."), *NUMBER),
        "outcome": PICK_ONE,
    }

    class Meta:
        indexes = [
            # Serves "this participant's urges between two instants, newest first" (history, API, charts).
            models.Index(fields=["participant", "-occurred_at"], name="urge_participant_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(intensity__lte=10), name="urge_intensity_0_10"),
        ]
        ordering = ["-occurred_at"]

    def __str__(self):
        return f"Urge {self.occurred_at:%Y-%m-%d %H:%M}"


    @property
    def is_setback(self):
        return self.outcome == self.Outcome.USED

    def clean(self):
        if self.occurred_at and self.occurred_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError({"occurred_at": _("That time hasn’t happened yet.")})
        if self.occurred_at and self.participant_id and (
                problem := dates.entry_instant_error(self.occurred_at, self.participant.zone)):
            raise ValidationError({"occurred_at": problem})


class WeeklyReflection(Entry):
    """The week's wins, what was hard, and next week's focus; one per participant and week."""

    MAX_WINS = 10
    MAX_WIN_LENGTH = 200

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reflections")
    week_start = models.DateField(help_text=_("The Monday that starts the week."))
    wins = models.JSONField(default=list, blank=True, validators=[validate_wins])
    hard = models.TextField(_("what was hard"), max_length=2000, blank=True)
    focus = models.TextField(_("next week's focus"), max_length=1000, blank=True)

    WRITABLE = ("week_start", "wins", "hard", "focus")
    ONE_PER = "week_start"
    MESSAGES = {"week_start": A_DAY}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "week_start"], name="reflection_one_per_week"),
        ]
        ordering = ["-week_start"]

    def __str__(self):
        return f"Week of {self.week_start}"


    EMPTY_MESSAGE = _("Add at least one line: a win, what was hard, or next week’s focus.")

    @property
    def is_empty(self):
        return not any(isinstance(line, str) and line.strip() for line in self.wins or []) and not (
            (self.hard or "").strip() or (self.focus or "").strip())

    def clean(self):
        if isinstance(self.wins, list):
            self.wins = [line.strip() if isinstance(line, str) else line for line in self.wins if line != ""]
        # Every problem at once: an empty reflection on a wrong day hears about both.
        errors = {NON_FIELD_ERRORS: [ValidationError(self.EMPTY_MESSAGE, code="empty")]} if self.is_empty else {}
        if self.week_start is not None and self.participant_id:
            if problem := dates.entry_day_error(self.week_start):
                errors["week_start"] = problem
            elif self.week_start > self.participant.local_today():
                errors["week_start"] = gettext("That week hasn’t started yet.")
            elif self.week_start.weekday() != 0:
                monday = week_start(self.week_start)
                errors["week_start"] = gettext("A week starts on a Monday: use %(monday)s.") % {"monday": monday.isoformat()}
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Plans, goals and high-risk times


PHONE_RE = r"^\+?[0-9(][0-9 ().-]{1,22}[0-9]$"
MAX_PLAN_ITEMS = 12
MAX_ITEM_LENGTH = 200


def _check_lines(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Expected a list of short lines."), code="invalid")
    if len(value) > MAX_PLAN_ITEMS:
        raise ValidationError(TOO_MANY_LINES, code="too_many", params={"max": MAX_PLAN_ITEMS})
    for line in value:
        if len(line) > MAX_ITEM_LENGTH:
            raise ValidationError(
                _("Keep each line under %(max)s characters."), code="too_long", params={"max": MAX_ITEM_LENGTH}
            )


def validate_lines(value):
    _check_lines(value)


def validate_contacts(value):
    """A list of {"name": ..., "phone": ...}; the phone may be empty (a place, say)."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError(_("Expected a list of names with phone numbers."), code="invalid")
    if len(value) > MAX_PLAN_ITEMS:
        raise ValidationError(TOO_MANY_CONTACTS, code="too_many", params={"max": MAX_PLAN_ITEMS})
    for item in value:
        if set(item) - {"name", "phone"} or not isinstance(item.get("name", ""), str):
            raise ValidationError(_("Each one has a name and, if you like, a phone number."), code="invalid")
        if not item.get("name", "").strip():
            raise ValidationError(NEEDS_A_NAME, code="required")
        if len(item["name"]) > MAX_ITEM_LENGTH:
            raise ValidationError(_("Keep each name under %(max)s characters."), code="too_long", params={"max": MAX_ITEM_LENGTH})
        phone = item.get("phone") or ""
        if phone and not (isinstance(phone, str) and re.match(PHONE_RE, phone)):
            raise ValidationError(
                _("“%(phone)s” doesn’t look like a phone number. Use digits, spaces, + - ( )."),
                code="invalid_phone", params={"phone": phone},
            )


def tel(phone):
    """The digits (and a leading +) of a phone number, for tel: and sms: links."""
    return ("+" if phone.strip().startswith("+") else "") + "".join(ch for ch in phone if ch.isdigit())


class SafetyPlanVersion(Entry):
    """One saved state of a participant's safety plan (Stanley & Brown). Never changed once saved.

    The plan in use is the newest version; every save adds one, so nothing typed is ever lost
    and a counselor can see what changed between two versions.
    """

    SECTIONS = {
        "warning_signs": (_("Warning signs"),
                          _("Thoughts, feelings or situations that tell me a hard time may be starting.")),
        "coping_alone": (_("Things I can do on my own"), _("To take my mind off things, without anyone else.")),
        "distractions": (_("People and places that take my mind off things"),
                         _("Names, places, and a phone number if there is one.")),
        "helpers": (_("People I can ask for help"), _("Tap a number to call or text.")),
        "professionals": (_("Professionals and crisis lines"),
                          _("My counselor, clinic or doctor. The 988 Lifeline is always here.")),
        "safe_space": (_("Making my space safe"), _("What I will remove or put away, and who can help with that.")),
        "reasons": (_("My reasons"), _("What matters most to me and is worth staying well for.")),
    }
    CONTACT_SECTIONS = ("distractions", "helpers", "professionals")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="safety_plan_versions")
    number = models.PositiveIntegerField(editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False,
                               related_name="+")
    warning_signs = models.JSONField(default=list, blank=True, validators=[validate_lines])
    coping_alone = models.JSONField(default=list, blank=True, validators=[validate_lines])
    distractions = models.JSONField(default=list, blank=True, validators=[validate_contacts])
    helpers = models.JSONField(default=list, blank=True, validators=[validate_contacts])
    professionals = models.JSONField(default=list, blank=True, validators=[validate_contacts])
    safe_space = models.JSONField(default=list, blank=True, validators=[validate_lines])
    reasons = models.JSONField(default=list, blank=True, validators=[validate_lines])

    WRITABLE = tuple(SECTIONS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "number"], name="safety_plan_version_number")]
        ordering = ["-number"]

    def __str__(self):
        return f"Safety plan v{self.number}"

    @property
    def is_empty(self):
        return not any(getattr(self, name) for name in self.SECTIONS)

    def sections(self):
        """(key, title, hint, items, is_contacts) for each section, in the plan's order."""
        return [
            (key, title, hint, getattr(self, key), key in self.CONTACT_SECTIONS)
            for key, (title, hint) in self.SECTIONS.items()
        ]

    @staticmethod
    def _item_key(item):
        """What makes two items the same: a line's words, a contact's name and phone together."""
        if isinstance(item, dict):
            return (item.get("name") or "", item.get("phone") or "")
        return str(item)

    @staticmethod
    def _item_text(key):
        return ", ".join(part for part in key if part) if isinstance(key, tuple) else key

    def changes_from(self, previous):
        """What this version added and removed in each section since `previous` (None for the
        first version: everything in it was added), in the plan's order. Sections with no change
        are left out. A contact is its name and phone together, so a changed number is the old
        contact removed and the new one added; an item written twice counts twice."""
        changes = []
        for key, (title, _hint) in self.SECTIONS.items():
            new = [self._item_key(item) for item in getattr(self, key) or []]
            old = [self._item_key(item) for item in getattr(previous, key) or []] if previous is not None else []
            added = [self._item_text(item) for item in _multiset_minus(new, old)]
            removed = [self._item_text(item) for item in _multiset_minus(old, new)]
            if added or removed:
                changes.append(SectionChange(key, title, added, removed))
        return changes

    def clean(self):
        for name in self.SECTIONS:
            value = getattr(self, name)
            if isinstance(value, list) and name not in self.CONTACT_SECTIONS:
                setattr(self, name, [line.strip() for line in value if isinstance(line, str) and line.strip()])
            elif isinstance(value, list):
                setattr(self, name, [
                    {"name": (item.get("name") or "").strip(), "phone": (item.get("phone") or "").strip()}
                    if isinstance(item, dict) else item
                    for item in value
                    if not isinstance(item, dict) or (item.get("name") or "").strip() or (item.get("phone") or "").strip()
                ])


class SectionChange(typing.NamedTuple):
    """What one version of a safety plan added to and removed from one section."""

    key: str
    title: str
    added: list
    removed: list


def _multiset_minus(items, others):
    """The items of `items` not matched one for one in `others`, in their order."""
    left = collections.Counter(others)
    kept = []
    for item in items:
        if left[item]:
            left[item] -= 1
        else:
            kept.append(item)
    return kept


def weekend_friday(day):
    """The Friday of the weekend `day` belongs to: the coming one from Monday to Thursday."""
    return day + dt.timedelta(days=4 - day.weekday())


class WeekendPlan(Entry):
    """The plan for one weekend (Friday evening to Sunday night), and on Monday how it went."""

    # The weekend's urges and check-ins are those from Friday 17:00 to Monday 00:00, local time.
    STARTS = dt.time(17, 0)

    class HowItWent(models.TextChoices):
        BETTER = "better", _("Better than I expected")
        AS_PLANNED = "as_planned", _("About as planned")
        HARDER = "harder", _("Harder than I expected")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="weekend_plans")
    weekend_of = models.DateField(help_text=_("The Friday that starts the weekend."))
    friday_evening = models.TextField(_("Friday evening"), max_length=1000, blank=True)
    saturday = models.TextField(_("Saturday"), max_length=1000, blank=True)
    sunday = models.TextField(_("Sunday"), max_length=1000, blank=True)
    who_to_call = models.TextField(_("who I will call"), max_length=500, blank=True)
    places_to_avoid = models.TextField(_("places I will avoid"), max_length=500, blank=True)
    if_urge = models.TextField(_("what I will do if an urge hits"), max_length=1000, blank=True)
    safe_ride = models.CharField(_("a safe ride"), max_length=200, blank=True)
    how_it_went = models.CharField(max_length=16, choices=HowItWent.choices, blank=True)
    review_note = models.TextField(_("what I learned"), max_length=1000, blank=True)

    PLAN_FIELDS = ("friday_evening", "saturday", "sunday", "who_to_call", "places_to_avoid", "if_urge", "safe_ride")
    WRITABLE = ("weekend_of", *PLAN_FIELDS, "how_it_went", "review_note")
    ONE_PER = "weekend_of"
    MESSAGES = {"weekend_of": A_DAY, "how_it_went": PICK_ONE}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "weekend_of"], name="weekend_plan_one_per_weekend")]
        ordering = ["-weekend_of"]

    def __str__(self):
        return f"Weekend of {self.weekend_of}"

    def window(self):
        """The weekend as UTC instants [Friday 17:00, Monday 00:00) in the participant's zone."""
        zone = self.participant.zone
        start = dt.datetime.combine(self.weekend_of, self.STARTS, tzinfo=zone)
        end = dt.datetime.combine(self.weekend_of + dt.timedelta(days=3), dt.time(0), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    @property
    def is_reviewed(self):
        return bool(self.how_it_went)

    def clean(self):
        if self.weekend_of is None or not self.participant_id:
            return
        # The range first: the weekday and review checks below do date arithmetic.
        if problem := dates.entry_day_error(self.weekend_of):
            raise ValidationError({"weekend_of": problem})
        today = self.participant.local_today()
        if self.weekend_of > today + dt.timedelta(days=60):
            raise ValidationError({"weekend_of": _("Plan up to two months ahead.")})
        if self.weekend_of.weekday() != 4:
            friday = weekend_friday(self.weekend_of)
            raise ValidationError({"weekend_of": _("A weekend starts on a Friday: use %(friday)s.") % {"friday": friday.isoformat()}})
        if self.how_it_went and self.weekend_of + dt.timedelta(days=2) > today:
            raise ValidationError({"how_it_went": _("You can say how it went once the weekend is over (from Sunday).")})


class Goal(Entry):
    """A goal set with the counselor, in the participant's words."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Working on it")
        ACHIEVED = "achieved", _("Achieved")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=120)
    why = models.TextField(_("why it matters"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # When the care team plans to review it with the person (tracker.episodes' plan reviews).
    review_on = models.DateField(_("review on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False,
                                   related_name="+")

    WRITABLE = ("title", "why", "status")

    class Meta:
        ordering = ["status", "-created_at"]

    def __str__(self):
        return self.title


class Task(Entry):
    """A small practice task between sessions, with an optional due date and goal."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False,
                                   related_name="+")

    WRITABLE = ("title", "due_date", "goal", "done")

    class Meta:
        indexes = [
            # Serves "open tasks due on or before today" on Today and in reminders.
            models.Index(fields=["participant", "done", "due_date"], name="task_open_due"),
        ]
        ordering = ["done", "due_date", "created_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.done and self.done_at is None:
            self.done_at = timezone.now()
        elif not self.done:
            self.done_at = None
        super().save(*args, **kwargs)

    def is_due(self, today):
        return not self.done and self.due_date is not None and self.due_date <= today

    def clean(self):
        if self.goal_id and self.participant_id and self.goal.participant_id != self.participant_id:
            raise ValidationError({"goal": _("Pick one of your own goals.")})
        if self.due_date and self.participant_id and (
                problem := dates.plan_day_error(self.due_date, self.participant.local_today())):
            raise ValidationError({"due_date": problem})


def validate_weekdays(value):
    if not isinstance(value, list) or not value or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in value
    ):
        raise ValidationError(_("Pick at least one day (0 is Monday, 6 is Sunday)."), code="invalid")
    if len(set(value)) != len(value):
        raise ValidationError(_("Each day can be picked once."), code="duplicate")


class HighRiskTime(Entry):
    """A recurring risky window: on these weekdays, from start to end, local time.

    An end before the start runs past midnight into the next day.
    """

    WEEKDAYS = WEEKDAYS  # Django's day names, in the reader's language (0 is Monday)

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="high_risk_times")
    label = models.CharField(max_length=80, blank=True)
    weekdays = models.JSONField(validators=[validate_weekdays])
    start_time = models.TimeField()
    end_time = models.TimeField()

    WRITABLE = ("label", "weekdays", "start_time", "end_time")
    MESSAGES = {"weekdays": said(_("Pick at least one day."), *MISSING, "min_length", "empty"),
                "start_time": A_TIME, "end_time": A_TIME}

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.label or self.describe()

    def describe(self):
        days = ", ".join(str(self.WEEKDAYS[day]) for day in sorted(self.weekdays or []))
        clock = gettext("H:i")
        return gettext("%(days)s, %(start)s-%(end)s") % {
            "days": days, "start": time_format(self.start_time, clock), "end": time_format(self.end_time, clock)}

    def covers(self, weekday, hour):
        """Does this window include the whole local hour starting at `hour` on `weekday`?"""
        start, end = self.start_time.hour * 60 + self.start_time.minute, self.end_time.hour * 60 + self.end_time.minute
        minute = hour * 60
        if start < end:
            return weekday in self.weekdays and start <= minute and minute + 60 <= end
        return (weekday in self.weekdays and minute >= start) or ((weekday - 1) % 7 in self.weekdays and minute + 60 <= end)

    def clean(self):
        if self.start_time is not None and self.start_time == self.end_time:
            raise ValidationError({"end_time": _("The end must differ from the start.")})


# ---------------------------------------------------------------------------------------------
# Reminders


def local_instant(day, time, zone):
    """The UTC instant of a wall-clock time on a local day.

    A time that does not exist that day (the spring-forward gap) moves forward by the gap:
    02:30 on a day that jumps from 02:00 to 03:00 is 03:30. An ambiguous time (the hour that
    repeats in the autumn) is its first occurrence, so it happens once.
    """
    return dt.datetime.combine(day, time, tzinfo=zone).replace(fold=0).astimezone(UTC)


def next_due(local_time, weekdays, on_date, zone, after):
    """The first instant strictly after `after` of a local time on some weekdays, or on one date.

    A plain function of a schedule's fields, so the tick can plan thousands of rows without
    building a model object for each.
    """
    if on_date is not None:
        instant = local_instant(on_date, local_time, zone)
        return instant if instant > after else None
    if not weekdays:
        return None
    start = after.astimezone(zone).date() - dt.timedelta(days=1)
    for offset in range(9):
        day = start + dt.timedelta(days=offset)
        if day.weekday() in weekdays:
            instant = local_instant(day, local_time, zone)
            if instant > after:
                return instant
    return None


# ---------------------------------------------------------------------------------------------
# The program's schedule: groups, their sessions, who attends


class ClosureDay(models.Model):
    """A day the program is closed (a holiday): that day's group sessions are cancelled."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "date"], name="closure_day_once")]
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.reason}".strip()


class Group(models.Model):
    """A recurring group: its weekdays, start time and length are in the program's zone."""

    class Kind(models.TextChoices):
        PROCESS = "process", _("Process group")
        RELAPSE_PREVENTION = "relapse_prevention", _("Relapse prevention")
        SKILLS = "skills", _("Skills group")
        EDUCATION = "education", _("Education group")
        FAMILY = "family", _("Family session")
        OTHER = "other", _("Other group")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.PROCESS)
    facilitators = models.ManyToManyField(Counselor, related_name="facilitated_groups", blank=True)
    weekdays = models.JSONField(_("days"), validators=[validate_weekdays], help_text=_("0 is Monday, 6 is Sunday."))
    start_time = models.TimeField(_("starts at"))
    length_min = models.PositiveSmallIntegerField(_("length in minutes"), default=180,
                                                  validators=[MinValueValidator(15), MaxValueValidator(600)])
    place = models.CharField(_("place"), max_length=120, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    active_from = models.DateField(_("from"))
    active_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class GroupMembership(models.Model):
    """A participant belongs to a group from `joined_on` to `left_on` (inclusive; open while empty)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="group_memberships")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                                   name="membership_dates_in_order"),
        ]
        indexes = [models.Index(fields=["participant", "group"], name="membership_lookup")]

    def __str__(self):
        return f"{self.participant} in {self.group}"

    def holds_on(self, day):
        """True when the person is a member on the local `day` (on that day's roll)."""
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class GroupSession(models.Model):
    """One meeting of a group. Named so because Django's own sessions are `Session`.

    Planned ones carry `planned_for`, the local date the group's schedule gave them, so planning
    again never makes a second one; a moved session keeps it. An extra session has none."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    planned_for = models.DateField(null=True, blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True, help_text=_("Empty: the group's usual place."))
    cancel_reason = models.CharField(_("why it is cancelled"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "planned_for"], name="group_session_planned_once"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="group_session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="group_session_starts")]
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.group} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def length_min(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Attendance(models.Model):
    """One member at one session, as a facilitator recorded it. The latest recorded time wins."""

    class Status(models.TextChoices):
        UNMARKED = "unmarked", _("Not marked yet")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.UNMARKED)
    minutes = models.PositiveSmallIntegerField(_("minutes attended"), null=True, blank=True,
                                               validators=[MaxValueValidator(600)])
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    # When the mark was made on the facilitator's device (an offline roll is sent later).
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "participant"], name="attendance_once")]
        indexes = [models.Index(fields=["participant", "session"], name="attendance_by_participant")]

    def __str__(self):
        return f"{self.participant} {self.status} {self.session}"


class AbsenceNotice(Entry):
    """"Can't make it" (before a session) or "I missed it" (after), with one reason."""

    class Reason(models.TextChoices):
        RIDE = "ride", _("No ride")
        WORK = "work", _("Work")
        CHILDCARE = "childcare", _("Childcare")
        SICK = "sick", _("I'm sick")
        USED = "used", _("I used")
        FORGOT = "forgot", _("I forgot")
        OTHER = "other", _("Something else")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="absence_notices")
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="notices")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    words = models.CharField(_("in your words"), max_length=300, blank=True)

    WRITABLE = ("session", "reason", "words")
    ONE_PER = "session"

    def writable_values(self):
        # By the session's id: a new notice has no session yet when its values are first read.
        return {"session": self.session_id, "reason": self.reason, "words": self.words}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "session"], name="absence_notice_once")]
        ordering = ["-created_at"]

    @property
    def ahead(self):
        """Given before the session started ("Can't make it"), not after ("I missed it")."""
        return self.created_at < self.session.starts_at

    def __str__(self):
        return f"{self.participant} {self.reason} {self.session}"


class Reminder(models.Model):
    """One reminder schedule: a local time on some weekdays (or on one date), with its next due
    instant in UTC. The tick fires rows whose `next_due_at` has come; nothing waits in a broker."""

    class Kind(models.TextChoices):
        CHECKIN = "checkin", _("Daily check-in")
        HIGH_RISK = "high_risk", _("High-risk time")
        WEEKEND_PLAN = "weekend_plan", _("Plan the weekend")
        WEEKEND_REVIEW = "weekend_review", _("How the weekend went")
        TASK = "task", _("Task due")
        SESSION = "session", _("Group session")
        SCHEDULE_CHANGE = "schedule_change", _("A change to the schedule")
        QUESTIONNAIRE = "questionnaire", _("A questionnaire is due")
        MEDICATION = "medication", _("Medication")
        CHECKUP = "checkup", _("An aftercare check-up")
        TEST = "test", _("Test notification")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Most reminders have neither: partial indexes below, so the tick's updates write fewer index entries.
    high_risk_time = models.ForeignKey(HighRiskTime, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="reminders", db_index=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders",
                             db_index=False)
    group_session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="reminders", db_index=False)
    questionnaire = models.ForeignKey("Questionnaire", on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="reminders", db_index=False)
    medication = models.ForeignKey("Medication", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="reminders", db_index=False)
    checkup = models.ForeignKey("Checkup", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reminders", db_index=False)
    local_time = models.TimeField()
    weekdays = models.JSONField(default=list, blank=True, help_text=_("0 is Monday; empty with a date: once."))
    on_date = models.DateField(null=True, blank=True, help_text=_("For a reminder that happens once."))
    enabled = models.BooleanField(default=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Serves the tick: "enabled reminders whose next_due_at has come, oldest first".
            models.Index(fields=["next_due_at"], name="reminder_due", condition=models.Q(enabled=True)),
            # Serve deleting a high-risk time's or a task's reminders with it.
            models.Index(fields=["high_risk_time"], name="reminder_high_risk_time",
                         condition=models.Q(high_risk_time__isnull=False)),
            models.Index(fields=["task"], name="reminder_task", condition=models.Q(task__isnull=False)),
            models.Index(fields=["group_session"], name="reminder_group_session",
                         condition=models.Q(group_session__isnull=False)),
            models.Index(fields=["questionnaire"], name="reminder_questionnaire",
                         condition=models.Q(questionnaire__isnull=False)),
            models.Index(fields=["medication"], name="reminder_medication",
                         condition=models.Q(medication__isnull=False)),
            models.Index(fields=["checkup"], name="reminder_checkup", condition=models.Q(checkup__isnull=False)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.local_time:%H:%M}"

    def next_due(self, after):
        """The first instant strictly after `after` when this reminder is due, or None."""
        return next_due(self.local_time, self.weekdays, self.on_date, self.participant.zone, after)


class Delivery(models.Model):
    """One reminder at one due instant: made once by the tick, sent at most once by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        MISSED = "missed", _("Missed (too late to send)")
        SKIPPED = "skipped", _("Skipped (quiet hours)")
        # A worker stopped between the claim and the answer: the push may or may not have arrived.
        UNKNOWN = "unknown", _("Unknown (the sender stopped mid-send)")

    class Channel(models.TextChoices):
        PUSH = "push", _("Notification")
        EMAIL = "email", _("Email")

    # No index of its own: the unique (reminder, due_at) below serves look-ups by reminder.
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # The worker process that took the batch holding this delivery (WorkerHeartbeat.name). A
    # default in the database too: the tick inserts rows in raw SQL, and so does older code.
    worker = models.CharField(max_length=100, blank=True, default="", db_default="")
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reminder", "due_at"], name="delivery_once_per_due")]
        indexes = [
            # Serves the tick's second step: "pending deliveries ready to be handed to a worker".
            models.Index(fields=["next_attempt_at"], name="delivery_ready",
                         condition=models.Q(status="pending")),
            # Serves the sweep of sends that a killed worker left half done.
            models.Index(fields=["sending_since"], name="delivery_sending", condition=models.Q(status="sending")),
        ]
        ordering = ["-due_at"]

    def __str__(self):
        return f"{self.reminder} due {self.due_at:%Y-%m-%d %H:%M}Z: {self.status}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (endpoint and keys) for one signed-in person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"Push subscription {self.pk}"

    def info(self):
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class WorkerHeartbeat(models.Model):
    """A sending worker process is alive: it writes `seen_at` when it takes a batch and every few
    seconds while sending. The tick hands a batch out again when its worker has gone quiet."""

    name = models.CharField(max_length=100, primary_key=True)  # host:pid
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} seen {self.seen_at:%Y-%m-%d %H:%M:%S}Z"


# ---------------------------------------------------------------------------------------------
# Deleted entries


class Tombstone(models.Model):
    """An entry that was deleted: its id, kind, owner and when, never its content.

    A write of the same id afterwards (an old write queued on another phone) is refused with
    410 Gone instead of bringing the entry back. A new id is always welcome.
    """

    id = models.UUIDField(primary_key=True)  # the deleted entry's own client-made id
    kind = models.CharField(max_length=40)  # the entry's model name, e.g. "checkin"
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    deleted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Deleted {self.kind} {self.id}"


# ---------------------------------------------------------------------------------------------
# The care team's side: acknowledgements and the audit log


class TalkRequest(Entry):
    """The participant tapped "I'd like to talk": an urgent flag on the caseload until a
    counselor acknowledges it. Written like any entry (PUT by client id), so it can wait in
    the phone's outbox without signal and is never made twice."""

    class Source(models.TextChoices):
        SUPPORT = "support", _("after a hard moment")
        TODAY = "today", _("Today")
        SAFETY_PLAN = "safety_plan", _("the safety plan")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="talk_requests")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.TODAY)

    WRITABLE = ("source",)

    class Meta:
        indexes = [models.Index(fields=["participant", "-created_at"], name="talk_request_recent")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"Asked to talk {self.created_at:%Y-%m-%d %H:%M}"


class FlagAcknowledgement(models.Model):
    """A counselor saw a triage flag and is on it. It holds for the evidence it was given for
    (`evidence`): when something new happens the flag's evidence changes and it counts again."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="flag_acknowledgements")
    flag = models.CharField(max_length=32)
    evidence = models.CharField(max_length=100)
    note = models.CharField(max_length=300, blank=True)
    counselor = models.ForeignKey(Counselor, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["participant", "flag", "-created_at"], name="flag_ack_lookup")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.flag} acknowledged {self.created_at:%Y-%m-%d}"


class AuditEvent(models.Model):
    """Who read or wrote which participant's data, what, when, from where, in which request.

    Append-only: the database refuses UPDATE and DELETE on this table (triggers made in
    migration 0005). The participant and actor are kept as plain ids without a foreign-key
    constraint, so closing an account or removing a user never touches the trail.
    """

    class Action(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Wrote")
        EXPORT = "export", _("Exported")
        DENIED = "denied", _("Denied")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    program = models.ForeignKey(Program, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
                                    related_name="+")
    # Lists show many people at once: their ids, as ",3,17,", so "was I in it" is one LIKE.
    participants_shown = models.TextField(blank=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    resource = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["participant", "-at"], name="audit_participant_time"),
            models.Index(fields=["program", "-at"], name="audit_program_time"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.resource}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


# ---------------------------------------------------------------------------------------------
# Accounts: invitations, the notice a participant acknowledges, session state


class AccountState(models.Model):
    """Per-person account state: sessions that began before `sessions_valid_after` are over, and
    the email address the person confirmed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_state")
    sessions_valid_after = models.DateTimeField(null=True, blank=True)
    # The address the person proved is theirs by opening the link sent to it; email reminders go
    # only there, and only while it is still the address on the account.
    email_confirmed = models.EmailField(blank=True)
    # The language the person reads Steady in (settings.LANGUAGES); blank: not chosen yet, so the
    # browser's (the cookie set by the switch, then Accept-Language) until they choose.
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)


def language_of(user) -> str:
    """The language a person reads Steady in: their choice, else the site's default. The worker
    renders reminders, notices and emails in it, whoever's action caused them. Load the user with
    select_related("account_state") to spare a query. (Here, below every module that sends.)"""
    state = getattr(user, "account_state", None) if user is not None else None
    code = state.language if state is not None else ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class Invitation(models.Model):
    """A one-time link that lets someone join a program: a participant (invited by a counselor)
    or a counselor (invited by a program admin). Only a hash of its token is stored."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        COUNSELOR = "counselor", _("Counselor")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    name = models.CharField(_("first name or initials"), max_length=60,
                            help_text=_("So you know whose link this is. The person can change it."))
    email = models.EmailField(blank=True, help_text=_("Optional: for password reset later."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.name} ({self.get_role_display()})"

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at

    @property
    def state(self):
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        return "open" if self.is_open() else "expired"


class NoticeAcknowledgement(models.Model):
    """A participant read the notice of who sees what: the exact text and its version, and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_acknowledgements")
    version = models.CharField(max_length=20)
    # The language the notice was read and acknowledged in; `text` is that language's text.
    language = models.CharField(max_length=10, default="en")
    text = models.TextField()
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]


# ---------------------------------------------------------------------------------------------
# Measurement-based care: validated questionnaires on a schedule (tracker.instruments, tracker.measures)


class MeasureSchedule(models.Model):
    """When an instrument is due: at intake and then every `every_days` days.

    A row without a participant is the program's default. A participant's own row replaces the
    default for that person (an inactive one turns the instrument off for them)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="measure_schedules")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="measure_schedules")
    instrument = models.CharField(_("questionnaire"), max_length=16, choices=instruments.CHOICES)
    active = models.BooleanField(_("on"), default=True)
    at_intake = models.BooleanField(_("at intake"), default=True)
    every_days = models.PositiveSmallIntegerField(
        _("then every (days)"), null=True, blank=True, validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("Empty: at intake only."))
    updated_by = models.ForeignKey(Counselor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "instrument"], condition=models.Q(participant__isnull=True),
                                    name="measure_schedule_program_default"),
            models.UniqueConstraint(fields=["participant", "instrument"],
                                    condition=models.Q(participant__isnull=False),
                                    name="measure_schedule_participant"),
        ]

    def __str__(self):
        return f"{self.get_instrument_display()} every {self.every_days or '-'} days"


class Questionnaire(models.Model):
    """One time an instrument is due for a participant: open from `opens_at` until `closes_at`
    (the program's window), then missed unless a complete response came in."""

    class Status(models.TextChoices):
        OPEN = "open", _("Due")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="questionnaires")
    instrument = models.CharField(max_length=16, choices=instruments.CHOICES)
    due_on = models.DateField()  # the participant's local date it opens
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    intake = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "instrument", "due_on"],
                                               name="questionnaire_once_per_day")]
        indexes = [
            # Serves the sweep that marks questionnaires missed once their window has closed.
            models.Index(fields=["closes_at"], name="questionnaire_open", condition=models.Q(status="open")),
            models.Index(fields=["participant", "instrument", "-due_on"], name="questionnaire_recent"),
        ]
        ordering = ["-due_on"]

    def __str__(self):
        return f"{self.get_instrument_display()} due {self.due_on}: {self.status}"

    @property
    def definition(self):
        return instruments.get(self.instrument)


class QuestionnaireResponse(Entry):
    """A participant's answers to one questionnaire, in the instrument version they were given.

    Saved as a draft while incomplete (never scored); scored by its own version's definition when
    complete. Written like every entry (PUT by client id), so a replay or a second phone never
    makes two: at most one response per due questionnaire."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="responses")
    instrument = models.CharField(max_length=16, choices=instruments.CHOICES)
    version = models.CharField(max_length=10)
    answers = models.JSONField(default=dict, blank=True)  # {item key: option value}
    complete = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set from `answers` by the instrument's own scoring when complete; empty for a draft.
    scores = models.JSONField(default=dict, blank=True, editable=False)
    bands = models.JSONField(default=dict, blank=True, editable=False)

    WRITABLE = ("questionnaire", "instrument", "version", "answers", "complete")
    ONE_PER = "questionnaire"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["questionnaire"], condition=models.Q(questionnaire__isnull=False),
                                               name="response_one_per_questionnaire")]
        indexes = [models.Index(fields=["participant", "instrument", "-completed_at"], name="response_recent",
                                condition=models.Q(complete=True))]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_instrument_display()} {'complete' if self.complete else 'draft'}"

    @property
    def definition(self):
        return instruments.get(self.instrument, self.version)

    def conflicting_id(self):
        if self.questionnaire_id is None:
            return None
        return super().conflicting_id()


class SafetyAnswer(Entry):
    """An answer above 0 to a safety item (PHQ-9 item 9), sent on its own the moment it is given,
    before the questionnaire is finished and whether or not it ever is. It raises the urgent
    flag and the team's notice (tracker.measures)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="safety_answers")
    response_id = models.UUIDField()  # the response it belongs to, which may not have reached us yet
    instrument = models.CharField(max_length=16, choices=instruments.CHOICES)
    version = models.CharField(max_length=10)
    item = models.CharField(max_length=8)
    value = models.PositiveSmallIntegerField()
    answered_at = models.DateTimeField()

    WRITABLE = ("response_id", "instrument", "version", "item", "value", "answered_at")
    MESSAGES = {"value": said(_("Pick one of the answers shown."), *NUMBER)}

    class Meta:
        indexes = [models.Index(fields=["participant", "-answered_at"], name="safety_answer_recent")]
        ordering = ["-answered_at"]

    def __str__(self):
        return f"Safety answer {self.answered_at:%Y-%m-%d %H:%M}"

    def clean(self):
        try:
            definition = instruments.get(self.instrument, self.version)
        except KeyError:
            raise ValidationError({"version": _("This questionnaire version is not known here.")}) from None
        item = next((item for item in definition.safety_items if item.key == self.item), None)
        if item is None:
            raise ValidationError({"item": _("This is not a safety question of that questionnaire.")})
        if self.value not in item.values or self.value == 0:
            raise ValidationError({"value": _("Send only an answer above 0 to this question.")})
        if self.answered_at and self.answered_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError({"answered_at": _("This time has not come yet.")})


class UrgentAlert(models.Model):
    """The team was told at once about one urgent event (a flag with its evidence): made once per
    event, so a replay, a second worker or a second tick never tells them twice."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="urgent_alerts")
    flag = models.CharField(max_length=32)
    evidence = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    # Nobody acknowledged within the program's time: the program admin was told.
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Whom it reached, without health details: ["email:3", "push:3", "on_call"].
    sent_to = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "flag", "evidence"], name="urgent_alert_once")]
        indexes = [models.Index(fields=["created_at"], name="urgent_alert_unescalated",
                                condition=models.Q(escalated_at__isnull=True))]
        ordering = ["-created_at"]

    def __str__(self):
        return f"Urgent {self.flag} {self.created_at:%Y-%m-%d %H:%M}"


def validate_dose_times(value):
    if not isinstance(value, list) or not value or len(value) > 8 or not all(
        isinstance(item, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", item) for item in value
    ):
        raise ValidationError(_("Give one to eight times like 08:00."), code="invalid")


NAME_A_MEDICATION = _("Give the medication a name, in your own words.")


class Medication(Entry):
    """A medication the person takes on a schedule: its name (free text, never on a lock screen or
    in an email subject) and its times of day. Entered by the person or their counselor."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(_("name"), max_length=80)
    times = models.JSONField(_("times"), default=list, validators=[validate_dose_times])
    active = models.BooleanField(_("taking it now"), default=True)
    remind = models.BooleanField(_("remind me"), default=True)
    added_by = models.ForeignKey(Counselor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    WRITABLE = ("name", "times", "active", "remind")
    MESSAGES = {"times": said(_("Give one to eight times like 08:00."), "invalid", "not_a_list", "empty",
                              "min_length", "max_length"),
                "name": said(NAME_A_MEDICATION, *MISSING)}

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return "Medication"

    def clean(self):
        # One reminder per time (tracker.reminders): each time once, in the day's order.
        if isinstance(self.name, str) and self.name and not self.name.strip():
            raise ValidationError({"name": ValidationError(NAME_A_MEDICATION, code="blank")})
        if isinstance(self.name, str):
            self.name = self.name.strip()
        if isinstance(self.times, list) and all(isinstance(item, str) for item in self.times):
            if len(set(self.times)) != len(self.times):
                raise ValidationError({"times": ValidationError(_("Each time once, please."), code="duplicate")})
            self.times = sorted(self.times)


# ---------------------------------------------------------------------------------------------
# Episodes of care, plan reviews and aftercare (tracker.episodes, tracker.aftercare). These are
# the care team's clinical record: closing an account leaves them for the clinic's own period
# (Program.record_retention_years), then the purge removes them.


class Episode(models.Model):
    """One stay in the program: admitted on a day at a level of care, ended by a discharge.
    At most one open episode per person; a re-admission starts a new one."""

    class Discharge(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        STEPPED_DOWN = "stepped_down", _("Stepped down")
        STEPPED_UP = "stepped_up", _("Stepped up")
        PATIENT_DIRECTED = "patient_directed", _("Patient-directed")
        TRANSFERRED = "transferred", _("Transferred")
        ADMINISTRATIVE = "administrative", _("Administrative")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="episodes")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="episodes")
    admitted_on = models.DateField(_("admitted on"))
    level_of_care = models.CharField(_("level of care"), max_length=16, choices=Participant.LevelOfCare.choices,
                                     default=Participant.LevelOfCare.IOP)
    # The counselor of record; the flags of a person in aftercare go to them (or, once they have
    # left, to the program admins).
    counselor = models.ForeignKey(Counselor, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="episodes_of_record", verbose_name=_("counselor of record"))
    next_review_on = models.DateField(_("next plan review"), null=True, blank=True)
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    discharge_type = models.CharField(_("discharge"), max_length=20, choices=Discharge.choices, blank=True)
    # The care team's own words: never on the participant's pages or passport; their own data
    # export holds it (their designated record set, tracker.exports).
    discharge_note = models.CharField(_("note for the record"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant"], condition=models.Q(discharged_on__isnull=True),
                                    name="episode_one_open"),
            models.CheckConstraint(condition=models.Q(discharged_on__isnull=True)
                                   | models.Q(discharged_on__gte=models.F("admitted_on")),
                                   name="episode_discharge_after_admission"),
            models.CheckConstraint(condition=models.Q(discharged_on__isnull=True, discharge_type="")
                                   | models.Q(discharged_on__isnull=False) & ~models.Q(discharge_type=""),
                                   name="episode_discharge_has_type"),
        ]
        indexes = [models.Index(fields=["program", "admitted_on"], name="episode_program_admitted")]
        ordering = ["-admitted_on", "-id"]

    def __str__(self):
        return f"Episode from {self.admitted_on}"

    @property
    def is_open(self):
        return self.discharged_on is None


def in_aftercare_q():
    """Participants (a filter on Participant) with an episode and none open: discharged, in
    aftercare. The one rule for the caseload, the questionnaire planner and the Aftercare list;
    Participant.in_aftercare says it of one person."""
    episodes = Episode.objects.filter(participant=models.OuterRef("pk"))
    return models.Exists(episodes) & ~models.Exists(episodes.filter(discharged_on__isnull=True))


class LevelChange(models.Model):
    """The episode's level of care from `changed_on`: the admission's level is the first row."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="level_changes")
    level_of_care = models.CharField(_("level of care"), max_length=16, choices=Participant.LevelOfCare.choices)
    changed_on = models.DateField(_("from"))
    note = models.CharField(_("why"), max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_on", "created_at"]

    def __str__(self):
        return f"{self.level_of_care} from {self.changed_on}"


class PlanReview(models.Model):
    """A treatment plan review: each goal's progress and a short note, on a day."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    counselor = models.ForeignKey(Counselor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]

    def __str__(self):
        return f"Plan review {self.reviewed_on}"


class GoalReview(models.Model):
    """One goal at one review. The goal's title is kept: the goal is the person's own entry and
    goes when they close their account; the review is the clinic's record."""

    class Progress(models.TextChoices):
        MET = "met", _("Met")
        PROGRESSING = "progressing", _("Progressing")
        NOT_YET = "not_yet", _("Not yet")
        CHANGED = "changed", _("Changed")

    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="goals")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews")
    goal_title = models.CharField(max_length=120)
    progress = models.CharField(_("progress"), max_length=12, choices=Progress.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.goal_title}: {self.progress}"


class AftercarePlan(models.Model):
    """Made at discharge with the person: where care goes next and who to call. Check-ups go out
    only if they agreed (`checkups`), until `checkups_until`, and stop when they say so."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="aftercare_plan")
    next_provider = models.CharField(_("next provider"), max_length=200, blank=True)
    first_appointment_at = models.DateTimeField(_("first appointment"), null=True, blank=True)
    first_appointment_place = models.CharField(_("where"), max_length=200, blank=True)
    prescriber = models.CharField(_("prescriber"), max_length=200, blank=True)
    meetings = models.TextField(_("mutual-help meetings"), max_length=1000, blank=True)
    people = models.TextField(_("people to call"), max_length=1000, blank=True)
    follow_up = models.TextField(_("what we agreed for follow-up"), max_length=1000, blank=True)
    checkups = models.BooleanField(_("check-ups from the program"), default=False)
    checkups_until = models.DateField(_("check-ups until"), null=True, blank=True)
    checkups_stopped_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Aftercare plan of {self.episode}"

    @property
    def checkups_on(self):
        return self.checkups and self.checkups_stopped_at is None


class Checkup(models.Model):
    """One aftercare check-up due for a person: open from `opens_at` to `closes_at`, made once per
    due day by the planner, announced by a one-time reminder."""

    class Status(models.TextChoices):
        OPEN = "open", _("Due")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="checkups")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="checkups")
    due_on = models.DateField()
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    items = models.JSONField(default=list)  # the BAM item numbers asked, as the program had them
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "due_on"], name="checkup_once_per_day")]
        indexes = [models.Index(fields=["closes_at"], name="checkup_open", condition=models.Q(status="open"))]
        ordering = ["-due_on"]

    def __str__(self):
        return f"Check-up due {self.due_on}: {self.status}"


class CheckupAnswer(Entry):
    """A person's answers to one check-up: BAM items (no BAM score from a subset) and "Would you
    like to talk to someone?". Their own entry: it goes when they close their account."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="checkup_answers")
    checkup = models.ForeignKey(Checkup, on_delete=models.CASCADE, related_name="answers")
    answers = models.JSONField(default=dict, blank=True)  # {BAM item number: option value}
    wants_talk = models.BooleanField(_("would like to talk to someone"), default=False)
    # Set from the program's rule when saved.
    risky = models.BooleanField(default=False, editable=False)

    WRITABLE = ("checkup", "answers", "wants_talk")
    ONE_PER = "checkup"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkup"], name="checkup_answer_once")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"Check-up answers {self.created_at:%Y-%m-%d}"
