"""The care team's API for a person's questionnaires (issue 17): their complete responses with
the answers item by item, scores, bands, change since intake and reliable-change marks; and
their questionnaires due, done and missed. Access and the audit row as every care route
(tracker.api.care.CareAccess)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import scores
from .care import CareAccess
from .serializers import DueQuestionnaireSerializer, StrictBooleanField, StrictCharField, StrictSerializer


class ItemAnswerSerializer(StrictSerializer):
    key = StrictCharField(help_text="The item's key, as answers are stored: \"1\", \"7a\", \"difficulty\".")
    number = StrictCharField(help_text="As printed on the form: \"1\", \"7A\", \"10\".")
    text = StrictCharField(help_text="The item's words in the instrument's version answered.")
    value = serializers.IntegerField(help_text="The option's value.")
    words = StrictCharField(help_text="The option's words.")
    scored = StrictBooleanField(help_text="False for the closing difficulty question and the BAM's 7A-7G and 17.")


class ResponseScoreSerializer(StrictSerializer):
    key = StrictCharField()
    name = StrictCharField()
    value = serializers.IntegerField()
    band = StrictCharField(allow_blank=True, help_text="The instrument's own band label (English); empty without bands.")
    higher_is_better = StrictBooleanField()
    change_since_intake = serializers.IntegerField(allow_null=True, help_text=(
        "This score minus the intake response's; null for intake itself."))
    reliable_change = serializers.ChoiceField(choices=[scores.IMPROVEMENT, scores.WORSENING], allow_null=True, help_text=(
        "A change since intake of at least the score's reliable-change points (PHQ-9 6, GAD-7 4; NHS Talking "
        "Therapies, as quoted); null for a smaller change or a score without a threshold (the BAM)."))


class CareResponseSerializer(StrictSerializer):
    id = serializers.UUIDField()
    questionnaire_id = serializers.IntegerField(allow_null=True)
    instrument = StrictCharField()
    name = StrictCharField()
    version = StrictCharField(help_text="The instrument version answered, which also scored it.")
    completed_at = serializers.DateTimeField()
    intake = StrictBooleanField(help_text="The response changes are counted from.")
    answers = ItemAnswerSerializer(many=True)
    scores = ResponseScoreSerializer(many=True)


def response_rows(histories):
    """The complete responses of every instrument as CareResponseSerializer takes them, newest first."""
    rows = []
    for history in histories:
        changes = scores.response_changes(history)
        for response in history.responses:
            definition = response.definition
            scored = scores.scored_items(definition)
            answers = []
            for item in definition.all_items:
                if item.key in response.answers:
                    value = response.answers[item.key]
                    option = next((o for o in item.options if o.value == value), None)
                    answers.append({"key": item.key, "number": item.number, "text": item.text(), "value": value,
                                    "words": option.text() if option else str(value), "scored": item.key in scored})
            parts = [{**part, "higher_is_better": definition.score_def(part["key"]).higher_is_better,
                      "change_since_intake": changes[response.pk].get(part["key"], (None, None))[0],
                      "reliable_change": changes[response.pk].get(part["key"], (None, None))[1]}
                     for part in scores.parts(definition, response.scores, response.bands)]
            rows.append({"id": response.pk, "questionnaire_id": response.questionnaire_id,
                         "instrument": response.instrument, "name": definition.name, "version": response.version,
                         "completed_at": response.completed_at, "intake": response is history.intake,
                         "answers": answers, "scores": parts})
    return sorted(rows, key=lambda row: row["completed_at"], reverse=True)


class CareResponses(CareAccess, APIView):
    """A person's complete questionnaire responses, newest first: the answers item by item, each
    score with its band, its change since intake and a reliable-change mark. Drafts are left out."""

    audit_resource = "responses"
    serializer_class = CareResponseSerializer

    @extend_schema(responses=CareResponseSerializer(many=True))
    def get(self, request, participant_id):
        rows = response_rows(scores.participant_scores(self.participant))
        return Response(CareResponseSerializer(rows, many=True).data)


class CareQuestionnaires(CareAccess, APIView):
    """A person's questionnaires, newest due first: upcoming, due, done (with scores) and missed."""

    audit_resource = "questionnaires"
    serializer_class = DueQuestionnaireSerializer

    @extend_schema(responses=DueQuestionnaireSerializer(many=True))
    def get(self, request, participant_id):
        return Response(DueQuestionnaireSerializer(scores.questionnaire_list(self.participant), many=True).data)
