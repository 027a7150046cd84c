"""GET /api/v1/passport/: the recovery passport (tracker.passport) as JSON, the same content as
the page /passport/, for the person's own phone or any app they choose to take it to."""

from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import passport as passports
from .participant import IsParticipant
from .serializers import ContactSerializer, HelperSerializer, StrictSerializer


class RiskTimeSerializer(StrictSerializer):
    label = serializers.CharField()
    weekdays = serializers.ListField(child=serializers.IntegerField(), help_text="0 is Monday, 6 is Sunday.")
    start_time = serializers.TimeField(format="%H:%M")
    end_time = serializers.TimeField(format="%H:%M", help_text="Before the start: the window runs past midnight.")


def _lines():
    return serializers.ListField(child=serializers.CharField())


class PlanSerializer(StrictSerializer):
    # The plan in use, without who saved it: only its words are the passport's.
    number = serializers.IntegerField(help_text="0: no plan written yet.")
    created_at = serializers.DateTimeField(allow_null=True)
    warning_signs = _lines()
    coping_alone = _lines()
    distractions = ContactSerializer(many=True)
    helpers = ContactSerializer(many=True)
    professionals = ContactSerializer(many=True)
    safe_space = _lines()
    reasons = _lines()


class WeekendTemplateSerializer(StrictSerializer):
    weekend_of = serializers.DateField(help_text="The Friday of the weekend it was written for.")
    friday_evening = serializers.CharField()
    saturday = serializers.CharField()
    sunday = serializers.CharField()
    who_to_call = serializers.CharField()
    places_to_avoid = serializers.CharField()
    if_urge = serializers.CharField()
    safe_ride = serializers.CharField()


class ScoreChangeSerializer(StrictSerializer):
    key = serializers.CharField()
    name = serializers.CharField()
    high = serializers.IntegerField()
    higher_is_better = serializers.BooleanField()
    first_on = serializers.DateField()
    first = serializers.IntegerField()
    first_band = serializers.CharField()
    latest_on = serializers.DateField(allow_null=True, help_text="Null while there is only one score.")
    latest = serializers.IntegerField(allow_null=True)
    latest_band = serializers.CharField()


class SleepAverageSerializer(StrictSerializer):
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    nights = serializers.IntegerField()
    hours = serializers.FloatField(allow_null=True)


class SleepSerializer(StrictSerializer):
    early = SleepAverageSerializer()
    late = SleepAverageSerializer(allow_null=True, help_text="Null until the first and the latest two weeks differ.")


class PassportStaySerializer(StrictSerializer):
    admitted_on = serializers.DateField()
    discharged_on = serializers.DateField(allow_null=True)


class AftercareSerializer(StrictSerializer):
    next_provider = serializers.CharField()
    first_appointment_at = serializers.DateTimeField(allow_null=True)
    first_appointment_place = serializers.CharField()
    prescriber = serializers.CharField()
    meetings = serializers.CharField()
    people = serializers.CharField()
    follow_up = serializers.CharField()
    checkups = serializers.BooleanField()
    checkups_until = serializers.DateField(allow_null=True)


class PassportSerializer(StrictSerializer):
    name = serializers.CharField()
    made_on = serializers.DateField()
    helpers = HelperSerializer(many=True)
    helpers_unranked = HelperSerializer(many=True)
    high_risk_times = RiskTimeSerializer(many=True)
    safety_plan = PlanSerializer()
    weekend_plan = WeekendTemplateSerializer(allow_null=True)
    scores = ScoreChangeSerializer(many=True)
    sleep = SleepSerializer(allow_null=True)
    stays = PassportStaySerializer(many=True)
    aftercare = AftercareSerializer(allow_null=True)


class Passport(APIView):
    """Your recovery passport: what helps you, your plans, how things changed and your aftercare,
    from your own record. Notes you kept private and the care team's own notes are never in it."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = PassportSerializer

    def get(self, request):
        return Response(PassportSerializer(passports.passport(participant=request.participant)).data)
