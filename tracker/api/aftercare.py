"""Aftercare in the API (issue 18, item 3; tracker.aftercare).

The care team (audited, tracker.api.care's CareAccess):
- GET/PUT /api/v1/care/participants/<id>/aftercare-plan/: the plan of the person's latest episode.
- GET /api/v1/care/participants/<id>/checkups/: their check-ups and answers, read only.
The participant:
- GET /api/v1/aftercare/: their aftercare plan (while in aftercare), in the words agreed.
- GET /api/v1/checkups/: their check-ups, each with the items it asks and the id to answer under.
- GET/PUT /api/v1/checkup-answers/<id>/: answers by client-made id, like every entry. No score.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import aftercare, services
from ..models import AftercarePlan, AuditEvent, Checkup, CheckupAnswer
from .care import CareAccess
from .measures import AnswersField, OptionSerializer
from .participant import ENTRY_GONE, EntryDetail, IsParticipant, field_errors
from .serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictModelSerializer,
    StrictSerializer,
)

Action = AuditEvent.Action


# ---- Serializers


class AftercarePlanSerializer(StrictModelSerializer):
    episode = serializers.IntegerField(source="episode_id", read_only=True)
    checkups_on = serializers.BooleanField(read_only=True, help_text="Agreed, and not stopped by the person.")
    saved = serializers.SerializerMethodField(help_text="False: not written yet (the defaults are shown).")

    class Meta:
        model = AftercarePlan
        fields = ["episode", *aftercare.PLAN_FIELDS, "checkups_stopped_at", "checkups_on", "saved", "updated_at"]
        read_only_fields = ["checkups_stopped_at", "updated_at"]

    def get_saved(self, plan) -> bool:
        return plan.pk is not None


class CheckupItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key its answer goes under in `answers`.")
    number = serializers.CharField()
    text = serializers.CharField()
    options = OptionSerializer(many=True)


class CheckupAnswerSerializer(StrictModelSerializer):
    checkup = serializers.IntegerField(source="checkup_id", min_value=1, max_value=2**63 - 1,
                                       help_text="One of your check-ups.")
    answers = AnswersField(required=False, default=dict, help_text=(
        "BAM item key: the value of the option picked, for every item the check-up asks (and no other)."))
    wants_talk = StrictBooleanField(required=False, default=False, help_text="Would you like to talk to someone?")
    risky = serializers.BooleanField(read_only=True, help_text="Set by your program's rule.")

    class Meta:
        model = CheckupAnswer
        fields = ["id", "checkup", "answers", "wants_talk", "risky", "created_at", "updated_at"]
        read_only_fields = ["id", "risky", "created_at", "updated_at"]


class CheckupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_on = serializers.DateField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.CharField()
    items = CheckupItemSerializer(many=True, source="item_data", help_text=(
        "The BAM items asked (empty while the program has not confirmed the BAM's terms: then only the talk "
        "question)."))
    answer_id = serializers.UUIDField(help_text="The id to PUT the answers under (/api/v1/checkup-answers/{id}/).")
    answer = CheckupAnswerSerializer(allow_null=True)


class CheckupConflictSerializer(StrictSerializer):
    checkup = serializers.ListField(child=StrictCharField())
    existing_id = serializers.UUIDField()


def _item_data(checkup):
    return [{"key": item.key, "number": item.number, "text": item.text(),
             "options": [{"value": o.value, "text": o.text()} for o in item.options]}
            for item in aftercare.items_for(checkup)]


def _with_answers(checkups):
    answers = {a.checkup_id: a for a in CheckupAnswer.objects.filter(checkup__in=checkups)}
    for checkup in checkups:
        checkup.item_data = _item_data(checkup)
        checkup.answer = answers.get(checkup.pk)
        checkup.answer_id = checkup.answer.pk if checkup.answer else aftercare.answer_id_for(checkup)
    return checkups


# ---- The care team


class CarePlan(CareAccess, APIView):
    """The aftercare plan of the person's latest episode (its defaults until written)."""

    audit_resource = "aftercare-plan"
    serializer_class = AftercarePlanSerializer
    # The plan is made at discharge and kept up after it: the one care write on a discharged person.
    while_discharged = True

    def _episode(self):
        episode = aftercare.latest_episode(self.participant)
        if episode is None:
            raise NotFound(_("This person has no episode of care yet, so no aftercare plan."))
        return episode

    @extend_schema(responses={200: AftercarePlanSerializer, 404: OpenApiResponse(description="No episode of care yet.")})
    def get(self, request, participant_id):
        return Response(AftercarePlanSerializer(aftercare.plan_for(self._episode())).data)

    @extend_schema(request=AftercarePlanSerializer, responses={
        200: AftercarePlanSerializer, 400: OpenApiResponse(description="Field errors: {field: [message]}"),
        404: OpenApiResponse(description="No episode of care yet.")},
        description="Replace the plan's fields (those left out take their defaults). Audited.")
    def put(self, request, participant_id):
        episode = self._episode()
        serializer = AftercarePlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {name: serializer.validated_data.get(name, AftercarePlan._meta.get_field(name).get_default())
                for name in aftercare.PLAN_FIELDS}
        if "checkups_until" not in serializer.validated_data:
            data["checkups_until"] = aftercare.plan_for(episode).checkups_until
        try:
            plan = aftercare.plan_save(request=request, episode=episode, data=data, actor=request.user)
        except DjangoValidationError as error:
            raise ValidationError(field_errors(error))
        return Response(AftercarePlanSerializer(plan).data)


class CareCheckups(CareAccess, generics.ListAPIView):
    """The person's check-ups, newest first, with their answers (read only; no score)."""

    audit_resource = "checkups"
    serializer_class = CheckupSerializer

    def get_queryset(self):
        return _with_answers(list(Checkup.objects.filter(participant=self.participant).order_by("-due_on")))


# ---- The participant


class MyPlan(APIView):
    """Your aftercare plan, once your time in the program has ended and a plan was made."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]

    @extend_schema(responses={200: AftercarePlanSerializer, 404: OpenApiResponse(
        description="No aftercare plan yet (it is made with you when your time in the program ends).")})
    def get(self, request):
        plan = aftercare.current_plan(request.participant)
        if plan is None:
            raise NotFound(_("You have no aftercare plan yet."))
        return Response(AftercarePlanSerializer(plan).data)


class Checkups(generics.ListAPIView):
    """Your check-ups, newest first: what each asks, its answer id, and your answers."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = CheckupSerializer

    def get_queryset(self):
        return _with_answers(list(Checkup.objects.filter(participant=self.request.participant).order_by("-due_on")))


class CheckupAnswerDetail(EntryDetail):
    """Your answers to one check-up, by their client-made id."""

    model = CheckupAnswer
    serializer_class = CheckupAnswerSerializer
    put_service = staticmethod(services.checkup_answer_put)
    http_method_names = ["get", "put", "options"]  # part of the record the care team reads: it stays

    @extend_schema(
        request=CheckupAnswerSerializer,
        responses={
            200: CheckupAnswerSerializer,
            201: OpenApiResponse(CheckupAnswerSerializer, description="Created by this body (a replay answers the same)."),
            400: OpenApiResponse(description=(
                "Field errors: {field: [message]}; answers by item: {\"answers\": {item: [message]}} (an item the "
                "check-up does not ask, one left out, or a value not among its options). A check-up that has closed "
                "takes no new answers.")),
            404: OpenApiResponse(description="No such answer of yours."),
            409: OpenApiResponse(CheckupConflictSerializer, description="Another answer (another id) holds this check-up."),
            410: OpenApiResponse(ENTRY_GONE, description="This id was deleted: nothing is saved."),
        },
        description=(
            "Create or replace your answers to one check-up under this client-made id. Sending the same body again "
            "changes nothing. No score is computed; your program's rule marks an answer that needs a look."),
    )
    def put(self, request, entry_id, **kwargs):  # here for its schema; services.checkup_answer_put is atomic
        return super().put(request, entry_id, **kwargs)

    def put_data(self, validated):
        data = dict(validated)
        data["checkup"] = data.pop("checkup_id")
        return data

    own_refusals = (aftercare.AnswerErrors,)

    def refusal(self, error):
        return ValidationError({"answers": {key: [message] for key, message in error.by_item.items()}})
