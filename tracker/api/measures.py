"""The participant's questionnaires in the API (issue 17):

- GET /api/v1/instruments/: the definitions (items, options, closing question, scores and their
  bands), in the active language, with the exact texts of tracker.instruments.
- GET /api/v1/questionnaires/: your open questionnaires, each with the definition to answer it in
  and your draft, so a second phone resumes the same response.
- GET /api/v1/responses/, PUT/GET /api/v1/responses/<id>/: answers, written by client id like
  every entry: a draft (complete=false, never scored) or complete (scored by its own version).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import instruments, responses, services
from ..models import QuestionnaireResponse
from .participant import ENTRY_GONE, EntryDetail, IsParticipant
from .serializers import StrictBooleanField, StrictCharField, StrictModelSerializer

MAX_ID = 2**63 - 1
NOTICE_FIRST = gettext_lazy(
    "Please read who sees what in Steady first (Settings, Who sees what): it changed, and it says who sees "
    "your answers. Nothing was saved.")


# ---- Definitions ----

class OptionSerializer(serializers.Serializer):
    value = serializers.IntegerField(help_text="What the answer stores and scores.")
    text = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key its answer is stored under in `answers`.")
    number = serializers.CharField(help_text="As printed on the form.")
    text = serializers.CharField()
    safety = serializers.BooleanField(help_text=(
        "An answer above 0 is sent at once as its own write (PUT /api/v1/safety-answers/{id}/), before the "
        "questionnaire is finished."))
    options = OptionSerializer(many=True)


class BandSerializer(serializers.Serializer):
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    label = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField(), help_text="The item keys summed.")
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    higher_is_better = serializers.BooleanField()
    bands = BandSerializer(many=True)


class InstrumentSerializer(serializers.Serializer):
    key = serializers.CharField()
    version = serializers.CharField()
    name = serializers.CharField()
    title = serializers.CharField()
    recall_days = serializers.IntegerField()
    stem = serializers.CharField(help_text="Shown with every item.")
    items = ItemSerializer(many=True)
    closing = ItemSerializer(allow_null=True, help_text=(
        "Asked after the items, stored under its key, never scored; may be left out. Null where the "
        "instrument has none in this language."))
    scores = ScoreSerializer(many=True)
    source = serializers.CharField()
    terms = serializers.CharField()


def _item(item):
    return {"key": item.key, "number": item.number, "text": item.text(), "safety": item.safety,
            "options": [{"value": o.value, "text": o.text()} for o in item.options]}


def definition_data(definition):
    """An instrument version as the API gives it, in the active language."""
    closing = definition.closing_for()
    return {
        "key": definition.key, "version": definition.version, "name": definition.name, "title": definition.title,
        "recall_days": definition.recall_days, "stem": definition.stem_text(),
        "items": [_item(item) for item in definition.items], "closing": _item(closing) if closing else None,
        "scores": [{"key": s.key, "name": s.name, "items": list(s.items), "low": s.low, "high": s.high,
                    "higher_is_better": s.higher_is_better,
                    "bands": [{"low": b.low, "high": b.high, "label": b.text()} for b in s.bands]}
                   for s in definition.scores],
        "source": definition.source, "terms": definition.terms,
    }


class Instruments(APIView):
    """The questionnaires your program may ask, every version (oldest first): a response is
    always answered and scored in its own version."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]

    @extend_schema(responses=InstrumentSerializer(many=True))
    def get(self, request):
        program = request.participant.program
        found = [definition_data(d) for d in instruments.VERSIONS if responses.offered(program, d.key)]
        return Response(InstrumentSerializer(found, many=True).data)


# ---- Open questionnaires ----

class DraftSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.CharField()
    answers = serializers.DictField(child=serializers.IntegerField())
    complete = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class QuestionnaireSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    instrument = serializers.CharField()
    due_on = serializers.DateField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    intake = serializers.BooleanField()
    status = serializers.CharField()
    response_id = serializers.UUIDField(help_text=(
        "The id to PUT your answers under: your draft's, or, before there is one, an id that is the same on "
        "every device of yours, so two phones answering offline write one response."))
    definition = InstrumentSerializer(source="definition_data", help_text=(
        "The version to answer in: your draft's, else the current one."))
    response = DraftSerializer(allow_null=True, help_text="Your draft, to carry on with; null before the first.")


class Questionnaires(generics.ListAPIView):
    """Your questionnaires open now, soonest to close first."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = QuestionnaireSerializer

    def get_queryset(self):
        found = responses.open_questionnaires(self.request.participant, now=timezone.now())
        for questionnaire in found:
            questionnaire.definition_data = definition_data(questionnaire.definition_in_use)
            questionnaire.response_id = (questionnaire.response.pk if questionnaire.response
                                         else responses.response_id_for(questionnaire))
        return found


# ---- Responses ----

@extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}, "example": {"1": 0, "9": 1},
                      "description": "Item key: the value of the option picked."})
class AnswersField(serializers.JSONField):
    """{item key: option value}. The instrument's own version checks the keys and values."""

    default_error_messages = {"not_object": gettext_lazy("Give the answers as an object of item: value."),
                              "too_many": gettext_lazy("Give at most %(most)s answers.")}
    MOST = 60

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_object")
        if len(data) > self.MOST:
            raise serializers.ValidationError(self.error_messages["too_many"] % {"most": self.MOST})
        return super().to_internal_value(data)


class ResponseSerializer(StrictModelSerializer):
    questionnaire = serializers.IntegerField(source="questionnaire_id", min_value=1, max_value=MAX_ID,
                                             allow_null=True, help_text="One of your questionnaires.")
    answers = AnswersField(required=False, default=dict)
    complete = StrictBooleanField(required=False, default=False, help_text=(
        "false: a draft, kept and never scored. true: every scored item answered; scored by this version."))
    scores = serializers.DictField(child=serializers.IntegerField(), read_only=True,
                                   help_text="Score key: points. Empty for a draft.")
    bands = serializers.DictField(child=serializers.CharField(), read_only=True,
                                  help_text="Score key: the band its points fall in (English label).")

    class Meta:
        model = QuestionnaireResponse
        fields = ["id", "questionnaire", "instrument", "version", "answers", "complete", "completed_at", "scores",
                  "bands", "created_at", "updated_at"]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]


class ResponseConflictSerializer(serializers.Serializer):
    questionnaire = serializers.ListField(child=StrictCharField())
    existing_id = serializers.UUIDField(help_text="The response that holds this questionnaire: PUT to it instead.")


class ResponseList(generics.ListAPIView):
    """Your responses, newest first, drafts and complete ones."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = ResponseSerializer

    @extend_schema(parameters=[OpenApiParameter("instrument", str, enum=list(instruments.KEYS))])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        found = QuestionnaireResponse.objects.filter(participant=self.request.participant).order_by("-created_at")
        if "instrument" in self.request.query_params:
            key = self.request.query_params["instrument"]
            if key not in instruments.KEYS:
                raise ValidationError({"instrument": [_("Pick one of %(keys)s.") % {"keys": ", ".join(instruments.KEYS)}]})
            found = found.filter(instrument=key)
        return found


ANSWER_ERRORS = OpenApiExample("An answer outside the item's options", status_codes=["400"], response_only=True,
                               value={"answers": {"9": ["Item 9 of the PHQ-9 takes one of 0, 1, 2, 3."]}})


class ResponseDetail(EntryDetail):
    """Your answers to one questionnaire, by their client-made id."""

    model = QuestionnaireResponse
    serializer_class = ResponseSerializer
    put_service = staticmethod(services.response_put)
    http_method_names = ["get", "put", "options"]  # part of the record the care team reads: it stays

    @extend_schema(
        request=ResponseSerializer,
        responses={
            200: ResponseSerializer,
            201: OpenApiResponse(ResponseSerializer, description="Created by this body (a replay answers the same)."),
            400: OpenApiResponse(description=(
                "Field errors: {field: [message]}. Answers the version cannot take are by item: "
                "{\"answers\": {item key: [message]}} (an unknown item, a value outside the item's options, or, "
                "when complete, a scored item left out). A complete response cannot become a draft again, and "
                "keeps its questionnaire, instrument and version."), examples=[ANSWER_ERRORS]),
            403: OpenApiResponse(description=(
                "The notice of who sees what has changed and has not been acknowledged yet: nothing was saved.")),
            404: OpenApiResponse(description="No such response of yours."),
            409: OpenApiResponse(ResponseConflictSerializer, description=(
                "Another response (another id: a second phone) holds this questionnaire.")),
            410: OpenApiResponse(ENTRY_GONE, description="This id was deleted: nothing is saved."),
        },
        description=(
            "Create or replace your answers to one questionnaire under this client-made id. Sending the same "
            "body again changes nothing. Complete answers are scored by their own version and mark the "
            "questionnaire done, also when they arrive after its window closed. A safety item's answer above 0 "
            "is meant to be sent at once as its own write (PUT /api/v1/safety-answers/{id}/); a response that "
            "carries one that has not arrived sends it itself."),
    )
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)

    def put_data(self, validated):
        data = dict(validated)
        data["questionnaire"] = data.pop("questionnaire_id")
        return data

    own_refusals = (responses.NoticeNeeded, responses.AnswerErrors)

    def refusal(self, error):
        if isinstance(error, responses.NoticeNeeded):
            return PermissionDenied(NOTICE_FIRST)
        return ValidationError({"answers": {key: [message] for key, message in error.by_item.items()}})
