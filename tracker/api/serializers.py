"""The API's serializers: entries in and out, and the figures the participant and care team read."""

import copy
import datetime as dt
import re
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from django.db import models
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .. import progress, push, triage
from ..models import (
    MAX_PLAN_ITEMS,
    NEEDS_A_NAME,
    TOO_LONG,
    TOO_MANY_CONTACTS,
    TOO_MANY_LINES,
    TOO_MANY_WINS,
    known_zones,
    CheckIn,
    Delivery,
    Reminder,
    Goal,
    GoalReview,
    HighRiskTime,
    Medication,
    Participant,
    PlanReview,
    SafetyPlanVersion,
    Strategy,
    Substance,
    SafetyAnswer,
    TalkRequest,
    Task,
    Trigger,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)


def model_words(message, **params):
    """A model validator's message with its numbers filled in, read (translated) when used."""
    return lazy(lambda: str(message) % params, str)()


class StrictCharField(serializers.CharField):
    """Text is text: a number or a boolean where text belongs is refused, not turned into "0".
    The length limit holds for the text as sent, as the schema's maxLength says (DRF would
    otherwise trim surrounding spaces first and accept a longer text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(TOO_LONG % {"limit_value": self.max_length, "show_value": len(data)},
                                              code="max_length")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, not 0, 1 or "yes"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


@extend_schema_field({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "21:00:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the person's own zone ("21:00:00"; "21:00" is accepted too), with no
    offset: not RFC 3339's full-time, so the schema gives its pattern rather than format: time."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.match(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", value):
            self.fail("invalid", format="hh:mm")
        return super().to_internal_value(value)


class EdgeSafeDateTimeField(serializers.DateTimeField):
    """A local time at the calendar's edge ("9999-12-31T23:59" in New York) cannot be moved to
    UTC; DRF's own check of it overflows (a 500), so it is "out of range" (a 400) here."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class RefuseUnknownFieldsMixin:
    """A body naming a field this serializer does not have is a 400 naming each such field,
    {"field": ["Unknown field."]}, so a client's typo is found the first time rather than
    silently dropped. Read-only fields are known (a GET's body can be sent back); nested
    serializers (a contact in a safety plan) check their own keys the same way.

    No field has ever been dropped from a body the API takes, so every draft saved by any
    version of the pages (tracker's static/js/app.js formBody sends the form's field names,
    leaving out "id" and "csrfmiddlewaretoken") is still accepted. When a field is dropped,
    name it in RETIRED_FIELDS for one release: it is then accepted and ignored."""

    RETIRED_FIELDS = frozenset()

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            known = set(self.fields) | self.RETIRED_FIELDS
            unknown = {name: [_("Unknown field.")] for name in data if name not in known}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **unknown})
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    pass


class StrictModelSerializer(RefuseUnknownFieldsMixin, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.TimeField: LocalTimeField,
        models.DateTimeField: EdgeSafeDateTimeField,
        models.BooleanField: StrictBooleanField,
    }

    def get_extra_kwargs(self):
        # A refused value reads as the page's form says it (the model's MESSAGES, one place for both).
        extra = super().get_extra_kwargs()
        for name, messages in getattr(self.Meta.model, "MESSAGES", {}).items():
            extra[name] = {**extra.get(name, {}),
                           "error_messages": {**extra.get(name, {}).get("error_messages", {}), **messages}}
        return extra

    def get_fields(self):
        # ModelSerializer builds every field from the model on every instance, which was most of
        # a write's own Python time (issue 20): built once per class here, then copied (a copy
        # is a fresh field made from the same arguments; what is changed on it below is redone).
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        fields = copy.deepcopy(built)
        for name in self._declared_fields:
            messages = getattr(self.Meta.model, "MESSAGES", {}).get(name)
            if messages and name in fields:
                fields[name].error_messages.update(messages)
        return fields

    def get_validators(self):
        # Likewise the serializer-wide validators, which DRF derives from the model's unique
        # constraints on every instance: the same for every instance of a class and language
        # (they hold no state; a constraint's own message is worded when they are built).
        built = type(self).__dict__.get("_built_validators")
        if built is None:
            built = type(self)._built_validators = {}
        language = translation.get_language()
        if language not in built:
            built[language] = super().get_validators()
        return list(built[language])


    @classmethod
    def _plain_reader(cls):
        """One instance per class and language whose fields serve every other instance (issue 20),
        or False for a serializer with a field that reads the context or other rows (method and
        related fields, nested serializers): those are built for each instance, as DRF does.
        Per language, because DRF words a limit's message once (a min_value's "from 0 to 10" is
        a lazy_format that keeps its first wording): one set of fields would answer every
        request in the first one's language."""
        readers = cls.__dict__.get("_readers")
        if readers is None:
            readers = cls._readers = {}
        language = translation.get_language()
        reader = readers.get(language)
        if reader is None:
            readers[language] = False  # while it is built, it builds its own fields
            reader = cls()
            plain = not any(isinstance(field, (serializers.SerializerMethodField, serializers.RelatedField,
                                               serializers.ManyRelatedField, serializers.BaseSerializer))
                            for field in reader.fields.values())
            readers[language] = reader = reader if plain else False
        return reader

    @property
    def fields(self):
        # A plain serializer's fields hold nothing of one request (what is read, the errors and
        # the validated data live in the serializer), so one set serves every instance: DRF built
        # (and this class copied) about twenty fields for every request.
        fields = self.__dict__.get("_fields")
        if fields is None:
            reader = type(self)._plain_reader()
            if reader and reader is not self and not self.partial:
                fields = reader.fields
            else:
                fields = serializers.BindingDict(self)
                for name, field in self.get_fields().items():
                    fields[name] = field
            self.__dict__["_fields"] = fields
        return fields

    @classmethod
    def represent(cls, instance, context=None):
        """`cls(instance, context=context).data` (what a write answers and a list shows), by the
        class's one reader where it is plain."""
        reader = cls._plain_reader()
        return reader.to_representation(instance) if reader else cls(instance, context=context or {}).data


class ChoiceListField(serializers.ListField):
    """A list of choices, each once: one message for the whole field ({"substances": ["Pick from
    the list shown."]}), not one per position, as the page shows it beside the field."""

    def __init__(self, *, choices, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("invalid")


class CheckInSerializer(StrictModelSerializer):
    # Use and medication (issue 17): what was used goes with used_today "yes" only, and
    # doses_missed with took_medication "some" only (a 400 naming the field otherwise).
    substances = ChoiceListField(choices=Substance.choices, required=False, max_length=len(Substance.choices),
                                 error_messages=CheckIn.MESSAGES["substances"],
                                 help_text="With used_today \"yes\" only.")
    doses_missed = serializers.IntegerField(min_value=1, max_value=24, required=False, allow_null=True,
                                            error_messages=CheckIn.MESSAGES["doses_missed"],
                                            help_text="With took_medication \"some\" only.")

    class Meta:
        model = CheckIn
        fields = ["id", *CheckIn.WRITABLE, "time_in_bed_min", "total_sleep_min", "sleep_efficiency",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "time_in_bed_min", "total_sleep_min", "sleep_efficiency", "created_at", "updated_at"]


class UrgeSerializer(StrictModelSerializer):
    triggers = serializers.ListField(child=serializers.ChoiceField(choices=Trigger.choices), required=False)
    helped = serializers.ListField(child=serializers.ChoiceField(choices=Strategy.choices), required=False)

    class Meta:
        model = Urge
        fields = ["id", *Urge.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TalkRequestSerializer(StrictModelSerializer):
    class Meta:
        model = TalkRequest
        fields = ["id", *TalkRequest.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class SafetyAnswerSerializer(StrictModelSerializer):
    class Meta:
        model = SafetyAnswer
        fields = ["id", *SafetyAnswer.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ReflectionSerializer(StrictModelSerializer):
    wins = serializers.ListField(
        child=StrictCharField(max_length=WeeklyReflection.MAX_WIN_LENGTH, allow_blank=True),
        max_length=WeeklyReflection.MAX_WINS,
        required=False,
        error_messages={"max_length": model_words(TOO_MANY_WINS, max=WeeklyReflection.MAX_WINS)},
    )

    class Meta:
        model = WeeklyReflection
        fields = ["id", *WeeklyReflection.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


@extend_schema_field({"type": "string", "example": "America/New_York",
                     "description": "An IANA time zone name, such as America/New_York or Europe/Madrid."})
class TimeZoneField(StrictCharField):
    """An IANA zone name, checked against the zones this server knows. Documented as a string,
    not an enum: the list depends on the host's tzdata (and has names that clash as enum keys)."""

    default_error_messages = {"unknown": _("“{input}” is not a time zone we know. Use a name like America/New_York.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in known_zones():
            self.fail("unknown", input=value)
        return value


class ParticipantSerializer(StrictModelSerializer):
    username = StrictCharField(source="user.username", read_only=True)
    program = StrictCharField(source="program.name", read_only=True)
    time_zone = TimeZoneField()
    # The open episode's; null between episodes (in aftercare).
    level_of_care = serializers.ChoiceField(choices=Participant.LevelOfCare.choices, read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = ["username", "program", "time_zone", "level_of_care"]
        read_only_fields = ["username", "program"]


class EntryConflictSerializer(StrictSerializer):
    """The 409 answer: which field clashed, in words, and the entry that already holds it."""

    existing_id = serializers.UUIDField()
    date = serializers.ListField(child=StrictCharField(), required=False)
    week_start = serializers.ListField(child=StrictCharField(), required=False)
    weekend_of = serializers.ListField(child=StrictCharField(), required=False)


class ContactSerializer(StrictSerializer):
    name = StrictCharField(max_length=200, error_messages={"blank": NEEDS_A_NAME, "required": NEEDS_A_NAME})
    phone = StrictCharField(max_length=40, allow_blank=True, required=False, default="")


def _lines():
    return serializers.ListField(child=StrictCharField(max_length=200, allow_blank=True), max_length=MAX_PLAN_ITEMS,
                                 required=False,
                                 error_messages={"max_length": model_words(TOO_MANY_LINES, max=MAX_PLAN_ITEMS)})


def _contacts():
    return serializers.ListField(child=ContactSerializer(), max_length=MAX_PLAN_ITEMS, required=False,
                                 error_messages={"max_length": model_words(TOO_MANY_CONTACTS, max=MAX_PLAN_ITEMS)})


class SafetyPlanVersionSerializer(StrictModelSerializer):
    warning_signs = _lines()
    coping_alone = _lines()
    distractions = _contacts()
    helpers = _contacts()
    professionals = _contacts()
    safe_space = _lines()
    reasons = _lines()
    author = StrictCharField(source="author.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = SafetyPlanVersion
        fields = ["id", "number", *SafetyPlanVersion.WRITABLE, "author", "created_at"]
        read_only_fields = ["id", "number", "author", "created_at"]


class WeekendPlanSerializer(StrictModelSerializer):
    class Meta:
        model = WeekendPlan
        fields = ["id", *WeekendPlan.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class GoalSerializer(StrictModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", *Goal.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


# Issue 18, treatment plan reviews (tracker.plan_reviews): a goal's review date, written by the
# care team only, and the reviews of the plan.
class CareGoalSerializer(GoalSerializer):
    """A goal as the care team reads and writes it: with the day they plan to review it. Leave
    review_on out of a PUT to keep the date as it is; null takes it away."""

    class Meta(GoalSerializer.Meta):
        fields = ["id", *Goal.WRITABLE, "review_on", "created_at", "updated_at"]
        extra_kwargs = {"review_on": {"required": False}}


class GoalReviewSerializer(StrictModelSerializer):
    goal_id = serializers.UUIDField(allow_null=True, read_only=True,
                                    help_text="Null once the person has deleted the goal; its title stays.")

    class Meta:
        model = GoalReview
        fields = ["goal_id", "goal_title", "progress", "note"]
        read_only_fields = fields


class PlanReviewSerializer(StrictModelSerializer):
    episode_id = serializers.IntegerField(read_only=True)
    counselor = serializers.SerializerMethodField()
    goals = GoalReviewSerializer(many=True, read_only=True)

    class Meta:
        model = PlanReview
        fields = ["id", "episode_id", "reviewed_on", "note", "counselor", "goals", "created_at"]
        read_only_fields = fields

    def get_counselor(self, review) -> str:
        return str(review.counselor.user.get_full_name() or review.counselor.user.get_username()) \
            if review.counselor else ""


class GoalProgressInSerializer(StrictSerializer):
    goal = serializers.UUIDField(help_text="One of the person's goals (GET .../goals/).")
    progress = serializers.ChoiceField(choices=GoalReview.Progress.choices)
    note = StrictCharField(max_length=GoalReview._meta.get_field("note").max_length, required=False,
                           allow_blank=True, default="")


class PlanReviewInSerializer(StrictSerializer):
    reviewed_on = serializers.DateField(help_text="The day of the review: today or earlier, in the open episode.")
    note = StrictCharField(max_length=PlanReview._meta.get_field("note").max_length, required=False,
                           allow_blank=True, default="")
    goals = GoalProgressInSerializer(many=True, help_text="Each goal at most once.")


class OwnGoalField(serializers.PrimaryKeyRelatedField):
    """A goal of the task's own participant; anyone else's is "does not exist", like a missing one."""

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF would read "" as "no goal"; a client means null for that
            self.fail("incorrect_type", data_type="empty text")
        return super().run_validation(data)

    def get_queryset(self):
        return Goal.objects.filter(participant=self.context["participant"])


class TaskSerializer(StrictModelSerializer):
    goal = OwnGoalField(allow_null=True, required=False)

    class Meta:
        model = Task
        fields = ["id", *Task.WRITABLE, "done_at", "created_at", "updated_at"]
        read_only_fields = ["id", "done_at", "created_at", "updated_at"]


class HighRiskTimeSerializer(StrictModelSerializer):
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), min_length=1,
                                     max_length=7, help_text="0 is Monday, 6 is Sunday.",
                                     error_messages=HighRiskTime.MESSAGES["weekdays"])

    class Meta:
        model = HighRiskTime
        fields = ["id", *HighRiskTime.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


@extend_schema_field({"type": "array", "minItems": 1, "maxItems": 8, "example": ["08:00", "20:00"],
                     "items": {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"},
                     "description": "Times of day in your own zone, each once; one reminder at each."})
class DoseTimesField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=StrictCharField(), **kwargs)

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError:
            self.fail("invalid")
        return value


class MedicationSerializer(StrictModelSerializer):
    # The name is the person's own words; it is never put in a notification or an email.
    times = DoseTimesField(error_messages=Medication.MESSAGES["times"])
    added_by = serializers.SerializerMethodField()

    class Meta:
        model = Medication
        fields = ["id", *Medication.WRITABLE, "added_by", "created_at", "updated_at"]
        read_only_fields = ["id", "added_by", "created_at", "updated_at"]

    def get_added_by(self, medication) -> str | None:
        """Who on the care team added it (empty when the person did)."""
        return str(medication.added_by) if medication.added_by_id else None


class UrgeBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Urge
        fields = ["id", "occurred_at", "intensity", "duration_min", "outcome"]


class WeekendReviewSerializer(StrictSerializer):
    plan = WeekendPlanSerializer()
    urges = UrgeBriefSerializer(many=True)
    checkins = CheckInSerializer(many=True)


class HelperSerializer(StrictSerializer):
    key = StrictCharField()
    label = StrictCharField()
    uses = serializers.IntegerField()
    passed = serializers.IntegerField()
    rate = serializers.FloatField()
    rank = serializers.IntegerField(allow_null=True)


class ProgressDaySerializer(StrictSerializer):
    # One progress.Day: its check-in's figures (null without one) and its urges in short.
    date = serializers.DateField()
    checked_in = serializers.SerializerMethodField()
    total_sleep_min = serializers.IntegerField(source="checkin.total_sleep_min", allow_null=True)
    sleep_efficiency = serializers.FloatField(source="checkin.sleep_efficiency", allow_null=True)
    sleep_quality = serializers.IntegerField(source="checkin.sleep_quality", allow_null=True)
    stress = serializers.IntegerField(source="checkin.stress", allow_null=True)
    urges = serializers.IntegerField(source="urge_count")
    avg_urge_intensity = serializers.SerializerMethodField()
    avg_urge_duration_min = serializers.SerializerMethodField()

    def get_checked_in(self, day) -> bool:
        return day.checkin is not None

    def get_avg_urge_intensity(self, day) -> float | None:
        return progress.mean([urge.intensity for urge in day.urges])

    def get_avg_urge_duration_min(self, day) -> float | None:
        return progress.mean([urge.duration_min for urge in day.urges])


class WinSerializer(StrictSerializer):
    # A small win: one (date, text) pair of progress.Progress.wins.
    date = serializers.DateField()
    text = StrictCharField()

    def to_representation(self, win):
        day, text = win
        return super().to_representation({"date": day, "text": text})


class UseDaysSerializer(StrictSerializer):
    # progress.Progress.use: days they said no, out of the days answered no or yes; never a streak.
    no = serializers.IntegerField(help_text="Days you told Steady you didn't use.")
    answered = serializers.IntegerField(help_text="Days you answered no or yes.")
    yes = serializers.IntegerField()
    not_said = serializers.IntegerField(help_text="Days you answered \"I'd rather not say\": counted neither way.")
    unanswered = serializers.IntegerField()


class ProgressSerializer(StrictSerializer):
    # A progress.Progress, as it is. (No docstrings here: they would become the schema's descriptions.)
    first = serializers.DateField()
    last = serializers.DateField()
    checkin_days = serializers.IntegerField()
    avg_total_sleep_min = serializers.FloatField(allow_null=True)
    avg_sleep_efficiency = serializers.FloatField(allow_null=True)
    avg_sleep_quality = serializers.FloatField(allow_null=True)
    avg_stress = serializers.FloatField(allow_null=True)
    urge_count = serializers.IntegerField()
    avg_intensity = serializers.FloatField(allow_null=True)
    avg_duration_min = serializers.FloatField(allow_null=True)
    wins = WinSerializer(many=True)
    helpers = HelperSerializer(many=True)
    helpers_unranked = HelperSerializer(many=True)
    days = ProgressDaySerializer(many=True)
    use = UseDaysSerializer()


class SuggestionSerializer(StrictSerializer):
    weekday = serializers.IntegerField()
    start = serializers.TimeField()
    end = serializers.TimeField()
    weeks_with_urges = serializers.IntegerField()
    weeks_seen = serializers.IntegerField()
    urge_count = serializers.IntegerField()
    label = StrictCharField()
    explanation = StrictCharField()


class PushKeysSerializer(StrictSerializer):
    p256dh = StrictCharField(max_length=200)
    auth = StrictCharField(max_length=100)


class PushSubscriptionSerializer(StrictSerializer):
    """What a browser's PushSubscription.toJSON() gives."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815 (the browser's name)

    def validate_endpoint(self, value):
        if (problem := push.endpoint_problem(value)) is not None:
            raise serializers.ValidationError(problem)
        return value


class PushEndpointSerializer(StrictSerializer):
    endpoint = serializers.URLField(max_length=1000)


class ReminderSettingsSerializer(StrictModelSerializer):
    class Meta:
        model = Participant
        fields = ["checkin_reminder_at", "high_risk_lead_min", "weekend_plan_reminder_at", "weekend_review_reminder_at",
                  "task_reminder_at", "session_reminder", "quiet_start", "quiet_end", "remind_by_push",
                  "remind_by_email"]


class ReminderSerializer(StrictModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "kind", "local_time", "weekdays", "on_date", "next_due_at", "snoozed_until"]


class DeliverySerializer(StrictModelSerializer):
    kind = StrictCharField(source="reminder.kind")

    class Meta:
        model = Delivery
        fields = ["id", "kind", "due_at", "status", "channel", "attempts", "sent_at", "opened_at"]


class RemindersOverviewSerializer(StrictSerializer):
    upcoming = ReminderSerializer(many=True)
    recent = DeliverySerializer(many=True)
    push_subscriptions = serializers.IntegerField()


class ActionTokenSerializer(StrictSerializer):
    token = StrictCharField(max_length=500)


# ---------------------------------------------------------------------------------------------
# The care team's reads (/api/v1/care/). Notes a participant marked private come out empty.


class SharedNoteMixin:
    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["note"] = instance.shared_note
        return data


class CareCheckInSerializer(SharedNoteMixin, CheckInSerializer):
    class Meta(CheckInSerializer.Meta):
        fields = [f for f in CheckInSerializer.Meta.fields if f != "note_private"]


class CareUrgeSerializer(SharedNoteMixin, UrgeSerializer):
    class Meta(UrgeSerializer.Meta):
        fields = [f for f in UrgeSerializer.Meta.fields if f != "note_private"]


class FlagSerializer(StrictSerializer):
    key = StrictCharField()
    label = StrictCharField()
    text = StrictCharField()
    evidence = StrictCharField()
    severity = serializers.ChoiceField(choices=list(triage.SEVERITY_ORDER),
                                       help_text="How loud the flag is: urgent, attention or setup.")
    acknowledged = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    acknowledged_at = serializers.SerializerMethodField()
    acknowledgement_note = serializers.SerializerMethodField()
    note_required = serializers.BooleanField(read_only=True, help_text=(
        "Acknowledged only with a note saying what was done (the risky answer on a questionnaire)."))

    def get_acknowledged(self, flag) -> bool:
        return flag.acknowledgement is not None

    def get_acknowledged_by(self, flag) -> str | None:
        ack = flag.acknowledgement
        return str(ack.counselor) if ack and ack.counselor else None

    def get_acknowledged_at(self, flag) -> dt.datetime | None:
        return flag.acknowledgement.created_at if flag.acknowledgement else None

    def get_acknowledgement_note(self, flag) -> str | None:
        return flag.acknowledgement.note if flag.acknowledgement else None


class DayValueSerializer(StrictSerializer):
    date = serializers.DateField()
    value = serializers.FloatField(allow_null=True)


# Questionnaire scores (issue 17, tracker.scores): the latest scores on the caseload, and the
# questionnaires due, done and missed (also in the week's summary and tracker.api.scores).


class ScorePartSerializer(StrictSerializer):
    key = StrictCharField(help_text="The score's key: total, or the BAM's use, risk, protective.")
    name = StrictCharField()
    value = serializers.IntegerField()
    band = StrictCharField(allow_blank=True, help_text="The instrument's own band label (English); empty without bands.")


class LatestScoresSerializer(StrictSerializer):
    response_id = serializers.UUIDField(source="id")
    instrument = StrictCharField()
    version = StrictCharField()
    completed_at = serializers.DateTimeField()
    scores = ScorePartSerializer(many=True, source="parts")


class DueQuestionnaireSerializer(StrictSerializer):
    id = serializers.IntegerField(source="questionnaire.pk")
    instrument = StrictCharField(source="questionnaire.instrument")
    name = StrictCharField()
    due_on = serializers.DateField(source="questionnaire.due_on")
    opens_at = serializers.DateTimeField(source="questionnaire.opens_at")
    closes_at = serializers.DateTimeField(source="questionnaire.closes_at")
    intake = StrictBooleanField(source="questionnaire.intake")
    state = serializers.ChoiceField(choices=["upcoming", "due", "done", "missed"], help_text=(
        "upcoming: not open yet; due: open now; done: answered; missed: closed unanswered."))
    started = StrictBooleanField(help_text="Open, with answers saved as a draft.")
    completed_at = serializers.DateTimeField(source="questionnaire.completed_at", allow_null=True)
    response_id = serializers.UUIDField(allow_null=True, help_text="The complete response (done only).")
    scores = ScorePartSerializer(many=True, source="parts", help_text="Its scores when done; none otherwise.")


class CaseloadRowSerializer(StrictSerializer):
    participant_id = serializers.IntegerField(source="participant.pk")
    name = StrictCharField(source="participant.__str__")
    time_zone = StrictCharField(source="participant.time_zone")
    score = serializers.FloatField()
    last_checkin = serializers.DateField(allow_null=True)
    days_without_checkin = serializers.IntegerField(allow_null=True)
    flags = FlagSerializer(many=True)
    sleep_hours = serializers.SerializerMethodField()
    urges = serializers.SerializerMethodField()
    latest_scores = serializers.SerializerMethodField()

    @extend_schema_field(LatestScoresSerializer(many=True))
    def get_latest_scores(self, row):
        """Each instrument's newest complete response, in the instruments' order (issue 17)."""
        return LatestScoresSerializer([pair[0] for pair in row.latest_scores.values()], many=True).data

    def get_sleep_hours(self, row) -> list[dict]:
        return [{"date": day, "value": value} for day, value in row.sleep]

    def get_urges(self, row) -> list[dict]:
        return [{"date": day, "value": value} for day, value in row.urges]


class AcknowledgementSerializer(StrictSerializer):
    flag = serializers.ChoiceField(choices=sorted(triage.LABELS))
    evidence = StrictCharField(max_length=100)
    note = StrictCharField(max_length=300, allow_blank=True, required=False, default="")


class TriggerCountSerializer(StrictSerializer):
    label = StrictCharField()
    count = serializers.IntegerField()
    share = serializers.FloatField()


class EngagementSerializer(StrictSerializer):
    sent = serializers.IntegerField()
    opened = serializers.IntegerField()
    missed = serializers.IntegerField()
    failed = serializers.IntegerField()
    unknown = serializers.IntegerField(help_text="A sender stopped mid-send: it may have arrived. Not failed.")
    skipped = serializers.IntegerField()
    open_rate = serializers.FloatField(allow_null=True)


def _series():
    return serializers.ListField(child=serializers.FloatField(allow_null=True))


class SeriesSerializer(StrictSerializer):
    labels = serializers.ListField(child=StrictCharField())
    sleep_hours = _series()
    sleep_efficiency = _series()
    sleep_quality = _series()
    urges = serializers.ListField(child=serializers.IntegerField())
    urge_intensity = _series()
    urge_minutes = _series()
    stress = _series()
    adherence_labels = serializers.ListField(child=StrictCharField())
    adherence = _series()


class OverviewSerializer(StrictSerializer):
    period = serializers.IntegerField()
    first = serializers.DateField(source="figures.first")
    last = serializers.DateField(source="figures.last")
    checkin_days = serializers.IntegerField(source="figures.checkin_days")
    urge_count = serializers.IntegerField(source="figures.urge_count")
    series = SeriesSerializer(source="data")
    triggers = serializers.SerializerMethodField()
    helpers = HelperSerializer(many=True, source="figures.helpers")
    helpers_unranked = HelperSerializer(many=True, source="figures.helpers_unranked")
    heat_map = serializers.ListField(source="heat", child=serializers.ListField(child=serializers.IntegerField()),
                                     help_text="Urges by local weekday (0 = Monday) and hour: 7 lists of 24 counts.")
    engagement = EngagementSerializer()

    @extend_schema_field(TriggerCountSerializer(many=True))
    def get_triggers(self, overview):
        return [{"label": label, "count": n, "share": share} for label, n, share in overview.triggers]


class SummaryDaySerializer(StrictSerializer):
    date = serializers.DateField()
    checked_in = serializers.SerializerMethodField()
    total_sleep_min = serializers.IntegerField(source="checkin.total_sleep_min", allow_null=True, default=None)
    sleep_efficiency = serializers.FloatField(source="checkin.sleep_efficiency", allow_null=True, default=None)
    sleep_quality = serializers.IntegerField(source="checkin.sleep_quality", allow_null=True, default=None)
    stress = serializers.IntegerField(source="checkin.stress", allow_null=True, default=None)
    urges = serializers.SerializerMethodField()
    strongest_urge = serializers.IntegerField(source="strongest", allow_null=True)

    def get_checked_in(self, day) -> bool:
        return day.checkin is not None

    def get_urges(self, day) -> int:
        return len(day.urges)


class WeekSummarySerializer(StrictSerializer):
    week_start = serializers.DateField(source="monday")
    week_end = serializers.DateField(source="sunday")
    days = SummaryDaySerializer(many=True)
    urges = CareUrgeSerializer(many=True)
    wins = serializers.SerializerMethodField()
    reflection = ReflectionSerializer(allow_null=True)
    weekend_plan = WeekendPlanSerializer(allow_null=True)
    tasks_done = TaskSerializer(many=True)
    tasks_open = TaskSerializer(many=True)
    goals = CareGoalSerializer(many=True)
    plan_reviews = PlanReviewSerializer(many=True, help_text="Plan reviews recorded for days of the week (issue 18).")
    reviews_due = CareGoalSerializer(many=True, help_text="Active goals whose review date has come (issue 18).")
    safety_plan_changed = StrictBooleanField()
    engagement = EngagementSerializer()
    questionnaires = DueQuestionnaireSerializer(many=True, help_text="Due, done or missed in the week (issue 17).")

    def get_wins(self, summary) -> list[dict]:
        return [{"date": day.isoformat(), "text": text} for day, text in summary.wins]


class ExportSerializer(StrictSerializer):
    notice = StrictCharField(help_text="The 42 CFR Part 2 redisclosure notice (42 CFR 2.32).")
    participant = serializers.DictField()
    exported_at = serializers.DateTimeField()
    exported_by = StrictCharField()
    private_notes = StrictCharField()
    records = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))


class AccessEventSerializer(StrictSerializer):
    at = serializers.DateTimeField()
    who = StrictCharField(source="actor_name")
    action = StrictCharField()
    what = StrictCharField(source="resource")
