"""Questionnaire schedules for the care team (issue 17):

- GET/PUT /api/v1/care/questionnaire-schedules/: the program's defaults, the window and the BAM's
  reuse terms confirmation; program admins only (tracker.access.program_admin). Reading them is
  not participant data and leaves no audit row; a change leaves one.
- GET/PUT /api/v1/care/participants/<id>/questionnaire-schedules/: one person's schedule per
  instrument (their own, or the program's default); a counselor on their care team only
  (tracker.access.care_participant); every allowed request leaves one audit row.

A PUT names every instrument once; a refused one is a 400 with field errors and nothing saved.
The writes are tracker.measures' services, which plan again at once.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, instruments, measures
from .care import CareAccess
from .serializers import StrictBooleanField, StrictSerializer


class StrictIntegerField(serializers.IntegerField):
    """A whole number as a JSON number: not "14", 14.5 or true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


EVERY_DAYS_HELP = "Then every this many days from intake (7-365); null: at intake only."


class ScheduleSerializer(StrictSerializer):
    instrument = serializers.ChoiceField(choices=instruments.CHOICES)
    name = serializers.CharField(read_only=True)
    active = StrictBooleanField(help_text="On or off.")
    at_intake = StrictBooleanField(help_text="Due on the participant's first day (their intake).")
    every_days = StrictIntegerField(min_value=measures.EVERY_DAYS_MIN, max_value=measures.EVERY_DAYS_MAX,
                                    allow_null=True, help_text=EVERY_DAYS_HELP)
    source = serializers.CharField(read_only=True, help_text=(
        f"Where it comes from: {measures.BUILT_IN_SOURCE}, {measures.PROGRAM_SOURCE} (the program's default) or "
        f"{measures.OWN_SOURCE} (this person's own)."))
    available = serializers.BooleanField(read_only=True, help_text=(
        "False for the BAM while the program has not confirmed its reuse terms: it is then off whatever the "
        "schedule says."))


class PersonScheduleSerializer(ScheduleSerializer):
    use_default = StrictBooleanField(default=False, help_text=(
        "True: the program's default holds (this person's own schedule is removed); the other fields may then "
        "be left out."))
    active = StrictBooleanField(required=False, help_text="On or off.")
    at_intake = StrictBooleanField(required=False, help_text="Due on the participant's first day (their intake).")
    every_days = StrictIntegerField(min_value=measures.EVERY_DAYS_MIN, max_value=measures.EVERY_DAYS_MAX,
                                    allow_null=True, required=False, help_text=EVERY_DAYS_HELP)

    def validate(self, data):
        if not data["use_default"]:
            missing = {name: [serializers.Field.default_error_messages["required"]]
                       for name in ("active", "at_intake", "every_days") if name not in data}
            if missing:
                raise ValidationError(missing)
        return data


def _body(schedule, **extra):
    return {"instrument": schedule.instrument, "name": schedule.definition.name, "active": schedule.active,
            "at_intake": schedule.at_intake, "every_days": schedule.every_days, "source": schedule.source,
            "available": schedule.available, **extra}


def _check_schedules(items, *, bam_on, use_default=False):
    """Each instrument once, and each schedule possible. A schedule's errors are keyed by its
    place in the list, as DRF keys the errors of a list's items: {"schedules": {"2": {...}}}."""
    named = [item["instrument"] for item in items]
    if sorted(named) != sorted(instruments.KEYS):
        raise ValidationError({"schedules": [
            _("Name each questionnaire once: %(keys)s.") % {"keys": ", ".join(instruments.KEYS)}]})
    errors = {}
    for index, item in enumerate(items):
        if use_default and item["use_default"]:
            continue
        problems = measures.schedule_errors(item["instrument"], active=item["active"], at_intake=item["at_intake"],
                                            every_days=item["every_days"], bam_on=bam_on)
        if problems:
            errors[str(index)] = {field: [message] for field, message in problems.items()}
    if errors:
        raise ValidationError({"schedules": errors})


class ProgramSchedulesSerializer(StrictSerializer):
    window_days = StrictIntegerField(min_value=1, max_value=14, help_text=(
        "Days a questionnaire stays open, from local midnight of the day it is due; then it is missed."))
    bam_terms_confirmed = StrictBooleanField(help_text=(
        "A program admin confirmed the BAM's reuse terms for the program (see bam_terms). False turns the BAM "
        "off for everyone."))
    bam_terms_confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    bam_terms = serializers.CharField(read_only=True, help_text="What Steady records about the BAM's reuse terms.")
    schedules = ScheduleSerializer(many=True)

    def validate(self, data):
        _check_schedules(data["schedules"], bam_on=data["bam_terms_confirmed"])
        return data


class PersonSchedulesSerializer(StrictSerializer):
    schedules = PersonScheduleSerializer(many=True)


def _django_errors(error):
    """A service's {"<instrument>.<field>": [message]} as the API's field errors."""
    return ValidationError(error.message_dict)


def program_body(program):
    return {"window_days": program.questionnaire_window_days, "bam_terms_confirmed": program.bam_on,
            "bam_terms_confirmed_at": program.bam_terms_confirmed_at, "bam_terms": instruments.BAM.terms,
            "schedules": [_body(s) for s in measures.program_schedules(program).values()]}


class ProgramSchedules(APIView):
    """The program's default questionnaire schedules: program admins only."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ProgramSchedulesSerializer
    resource = "questionnaire-schedules"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.upper() not in self.allowed_methods:
            raise MethodNotAllowed(request.method)
        self.admin = access.program_admin(request, resource=self.resource)

    @extend_schema(responses=ProgramSchedulesSerializer)
    def get(self, request):
        return Response(ProgramSchedulesSerializer(program_body(self.admin.program)).data)

    @extend_schema(request=ProgramSchedulesSerializer, responses={200: ProgramSchedulesSerializer, 400: OpenApiResponse(
        description="Field errors: {field: [message]}; a schedule's under its place in the list: "
                    "{\"schedules\": {\"2\": {\"active\": [message]}}}.")})
    def put(self, request):
        serializer = ProgramSchedulesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            program = measures.program_schedules_update(
                request=request, program=self.admin.program, counselor=self.admin,
                schedules={item["instrument"]: {name: item[name] for name in ("active", "at_intake", "every_days")}
                           for item in data["schedules"]},
                window_days=data["window_days"], bam_confirmed=data["bam_terms_confirmed"])
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return Response(ProgramSchedulesSerializer(program_body(program)).data)


class ParticipantSchedules(CareAccess, APIView):
    """One person's questionnaire schedules: their own, or the program's default."""

    audit_resource = "questionnaire-schedule"
    serializer_class = PersonSchedulesSerializer

    def _answer(self, schedules):
        return Response(PersonSchedulesSerializer({"schedules": [
            _body(s, use_default=s.source != measures.OWN_SOURCE) for s in schedules.values()]}).data)

    @extend_schema(responses=PersonSchedulesSerializer)
    def get(self, request, participant_id):
        return self._answer(measures.schedules_for(self.participant))

    @extend_schema(request=PersonSchedulesSerializer, responses={200: PersonSchedulesSerializer, 400: OpenApiResponse(
        description="Field errors: {field: [message]}; a schedule's under its place in the list: "
                    "{\"schedules\": {\"2\": {\"active\": [message]}}}.")})
    def put(self, request, participant_id):
        serializer = PersonSchedulesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["schedules"]
        _check_schedules(items, bam_on=self.participant.program.bam_on, use_default=True)
        try:
            schedules = measures.participant_schedules_update(
                request=request, participant=self.participant, counselor=self.counselor,
                schedules={item["instrument"]: None if item["use_default"] else {
                    name: item[name] for name in ("active", "at_intake", "every_days")} for item in items})
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return self._answer(schedules)
