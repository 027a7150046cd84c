from rest_framework import serializers

from .models import (
    CheckIn,
    Delivery,
    Reminder,
    Goal,
    HighRiskTime,
    Participant,
    SafetyPlanVersion,
    Strategy,
    Task,
    Trigger,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", *CheckIn.WRITABLE, "time_in_bed_min", "total_sleep_min", "sleep_efficiency",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "time_in_bed_min", "total_sleep_min", "sleep_efficiency", "created_at", "updated_at"]


class UrgeSerializer(serializers.ModelSerializer):
    triggers = serializers.ListField(child=serializers.ChoiceField(choices=Trigger.choices), required=False)
    helped = serializers.ListField(child=serializers.ChoiceField(choices=Strategy.choices), required=False)

    class Meta:
        model = Urge
        fields = ["id", *Urge.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ReflectionSerializer(serializers.ModelSerializer):
    wins = serializers.ListField(
        child=serializers.CharField(max_length=WeeklyReflection.MAX_WIN_LENGTH, allow_blank=True),
        max_length=WeeklyReflection.MAX_WINS,
        required=False,
    )

    class Meta:
        model = WeeklyReflection
        fields = ["id", *WeeklyReflection.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ParticipantSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    program = serializers.CharField(source="program.name", read_only=True)

    class Meta:
        model = Participant
        fields = ["username", "program", "time_zone", "level_of_care"]
        read_only_fields = ["username", "program", "level_of_care"]


class EntryConflictSerializer(serializers.Serializer):
    """The 409 answer: which field clashed, in words, and the entry that already holds it."""

    existing_id = serializers.UUIDField()
    date = serializers.ListField(child=serializers.CharField(), required=False)
    week_start = serializers.ListField(child=serializers.CharField(), required=False)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")


def _lines():
    return serializers.ListField(child=serializers.CharField(max_length=200, allow_blank=True), max_length=12,
                                 required=False)


def _contacts():
    return serializers.ListField(child=ContactSerializer(), max_length=12, required=False)


class SafetyPlanVersionSerializer(serializers.ModelSerializer):
    warning_signs = _lines()
    coping_alone = _lines()
    distractions = _contacts()
    helpers = _contacts()
    professionals = _contacts()
    safe_space = _lines()
    reasons = _lines()
    author = serializers.CharField(source="author.username", read_only=True, default=None)

    class Meta:
        model = SafetyPlanVersion
        fields = ["id", "number", *SafetyPlanVersion.WRITABLE, "author", "created_at"]
        read_only_fields = ["id", "number", "author", "created_at"]


class WeekendPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = WeekendPlan
        fields = ["id", *WeekendPlan.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", *Goal.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class OwnGoalField(serializers.PrimaryKeyRelatedField):
    """A goal of the task's own participant; anyone else's is "does not exist", like a missing one."""

    def get_queryset(self):
        return Goal.objects.filter(participant=self.context["participant"])


class TaskSerializer(serializers.ModelSerializer):
    goal = OwnGoalField(allow_null=True, required=False)

    class Meta:
        model = Task
        fields = ["id", *Task.WRITABLE, "done_at", "created_at", "updated_at"]
        read_only_fields = ["id", "done_at", "created_at", "updated_at"]


class HighRiskTimeSerializer(serializers.ModelSerializer):
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), min_length=1,
                                     max_length=7, help_text="0 is Monday, 6 is Sunday.")

    class Meta:
        model = HighRiskTime
        fields = ["id", *HighRiskTime.WRITABLE, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class UrgeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Urge
        fields = ["id", "occurred_at", "intensity", "duration_min", "outcome"]


class WeekendReviewSerializer(serializers.Serializer):
    plan = WeekendPlanSerializer()
    urges = UrgeBriefSerializer(many=True)
    checkins = CheckInSerializer(many=True)


class HelperSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    uses = serializers.IntegerField()
    passed = serializers.IntegerField()
    rate = serializers.FloatField()
    rank = serializers.IntegerField(allow_null=True)


class ProgressDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    checked_in = serializers.BooleanField()
    total_sleep_min = serializers.IntegerField(allow_null=True)
    sleep_efficiency = serializers.FloatField(allow_null=True)
    sleep_quality = serializers.IntegerField(allow_null=True)
    stress = serializers.IntegerField(allow_null=True)
    urges = serializers.IntegerField()
    avg_urge_intensity = serializers.FloatField(allow_null=True)
    avg_urge_duration_min = serializers.FloatField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
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
    wins = serializers.ListField(child=serializers.DictField())
    helpers = HelperSerializer(many=True)
    helpers_unranked = HelperSerializer(many=True)
    days = ProgressDaySerializer(many=True)


class SuggestionSerializer(serializers.Serializer):
    weekday = serializers.IntegerField()
    start = serializers.TimeField()
    end = serializers.TimeField()
    weeks_with_urges = serializers.IntegerField()
    weeks_seen = serializers.IntegerField()
    urge_count = serializers.IntegerField()
    label = serializers.CharField()
    explanation = serializers.CharField()


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionSerializer(serializers.Serializer):
    """What a browser's PushSubscription.toJSON() gives."""

    endpoint = serializers.URLField(max_length=1000)
    keys = PushKeysSerializer()
    expirationTime = serializers.IntegerField(required=False, allow_null=True)  # noqa: N815 (the browser's name)


class PushEndpointSerializer(serializers.Serializer):
    endpoint = serializers.URLField(max_length=1000)


class ReminderSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["checkin_reminder_at", "high_risk_lead_min", "weekend_plan_reminder_at", "weekend_review_reminder_at",
                  "task_reminder_at", "quiet_start", "quiet_end", "remind_by_push", "remind_by_email"]


class ReminderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reminder
        fields = ["id", "kind", "local_time", "weekdays", "on_date", "next_due_at", "snoozed_until"]


class DeliverySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="reminder.kind")

    class Meta:
        model = Delivery
        fields = ["id", "kind", "due_at", "status", "channel", "attempts", "sent_at", "opened_at"]


class RemindersOverviewSerializer(serializers.Serializer):
    upcoming = ReminderSerializer(many=True)
    recent = DeliverySerializer(many=True)
    push_subscriptions = serializers.IntegerField()


class ActionTokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)
