from rest_framework import serializers

from .models import CheckIn, Participant, Strategy, Trigger, Urge, WeeklyReflection


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
