"""Episodes of care in the API: the care team's under /api/v1/care/participants/<id>/episodes/
(list, admit, one episode, a level change, a plan update, a discharge), and the participant's
own under /api/v1/me/episodes/ in plain words only (never the kind of discharge or the note).

Access and audit as every care route (tracker.api.care.CareAccess): each write's row in its
transaction. Admitting is the one write allowed about a discharged person.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import episodes
from ..models import Counselor, Episode, LevelChange, Participant
from .care import CareAccess
from .participant import IsParticipant, field_errors
from .serializers import StrictCharField, StrictSerializer

RESOURCE = "episode"
FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [message, ...]}")
READ_ONLY = OpenApiResponse(description="The person is discharged: their record is read-only.")


class LevelChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LevelChange
        fields = ["level_of_care", "changed_on", "note"]


class EpisodeSerializer(serializers.ModelSerializer):
    level_changes = LevelChangeSerializer(many=True, read_only=True)
    counselor_name = serializers.SerializerMethodField()
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Episode
        fields = ["id", "admitted_on", "level_of_care", "level_changes", "counselor", "counselor_name",
                  "next_review_on", "is_open", "discharged_on", "discharge_type", "discharge_note"]

    def get_counselor_name(self, episode) -> str:
        return str(episode.counselor) if episode.counselor else ""


@extend_schema_field({"type": "integer", "nullable": True})
class ProgramCounselorField(serializers.PrimaryKeyRelatedField):
    """A counselor of the person's program, by id (null for nobody)."""

    def get_queryset(self):
        return Counselor.objects.filter(program_id=self.context["program_id"])


class AdmitSerializer(StrictSerializer):
    admitted_on = serializers.DateField()
    level_of_care = serializers.ChoiceField(choices=Participant.LevelOfCare.choices)
    counselor = ProgramCounselorField(allow_null=True, required=False, default=None)
    next_review_on = serializers.DateField(allow_null=True, required=False, default=None)


class LevelSerializer(StrictSerializer):
    level_of_care = serializers.ChoiceField(choices=Participant.LevelOfCare.choices)
    changed_on = serializers.DateField()
    note = StrictCharField(max_length=300, required=False, allow_blank=True, default="")


class PlanSerializer(StrictSerializer):
    next_review_on = serializers.DateField(allow_null=True, required=False)
    counselor = ProgramCounselorField(allow_null=True, required=False)


class DischargeSerializer(StrictSerializer):
    discharged_on = serializers.DateField()
    discharge_type = serializers.ChoiceField(choices=Episode.Discharge.choices)
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class EpisodeAccess(CareAccess, APIView):
    audit_resource = RESOURCE

    def episode(self, episode_id):
        found = (Episode.objects.filter(pk=episode_id, participant=self.participant)
                 .select_related("counselor__user").prefetch_related("level_changes").first())
        if found is None:
            raise Http404(_("No such episode."))
        self.audit_object_id = found.pk
        return found

    def parsed(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, context={"program_id": self.participant.program_id},
                                      **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def write(self, action):
        """Run the domain function and its audit row in one transaction; field errors are a 400."""
        try:
            with transaction.atomic():
                episode = action()
                self.record_write(self.request, episode.pk)
        except DjangoValidationError as error:
            raise ValidationError(field_errors(error)) from None
        return self.episode(episode.pk)


class EpisodeList(EpisodeAccess):
    """The person's episodes, newest first (GET), or an admission (POST): a new open episode.
    Admitting is allowed after a discharge: it is how a person comes back."""

    serializer_class = EpisodeSerializer
    while_discharged = True

    @extend_schema(responses=EpisodeSerializer(many=True))
    def get(self, request, participant_id):
        return Response(EpisodeSerializer(episodes.history(self.participant), many=True).data)

    @extend_schema(request=AdmitSerializer, responses={201: EpisodeSerializer, 400: FIELD_ERRORS})
    def post(self, request, participant_id):
        data = self.parsed(AdmitSerializer)
        episode = self.write(lambda: episodes.admit(participant=self.participant, actor=request.user, **data))
        return Response(EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)


class EpisodeDetail(EpisodeAccess):
    """One episode (GET), or its plan (PATCH): the next review date and the counselor of record."""

    serializer_class = EpisodeSerializer

    @extend_schema(responses=EpisodeSerializer)
    def get(self, request, participant_id, episode_id):
        return Response(EpisodeSerializer(self.episode(episode_id)).data)

    @extend_schema(request=PlanSerializer, responses={200: EpisodeSerializer, 400: FIELD_ERRORS, 403: READ_ONLY})
    def patch(self, request, participant_id, episode_id):
        episode = self.episode(episode_id)
        data = self.parsed(PlanSerializer)
        # A field left out keeps its value.
        data = {"next_review_on": episode.next_review_on, "counselor": episode.counselor, **data}
        return Response(EpisodeSerializer(self.write(lambda: episodes.plan_update(episode=episode, **data))).data)


class EpisodeLevel(EpisodeAccess):
    """A change of level of care inside the open episode, from a day."""

    serializer_class = EpisodeSerializer

    @extend_schema(request=LevelSerializer, responses={200: EpisodeSerializer, 400: FIELD_ERRORS, 403: READ_ONLY})
    def post(self, request, participant_id, episode_id):
        episode = self.episode(episode_id)
        data = self.parsed(LevelSerializer)
        return Response(EpisodeSerializer(self.write(lambda: episodes.change_level(
            episode=episode, actor=request.user, **data))).data)


class EpisodeDischarge(EpisodeAccess):
    """End the open episode: a day, a kind of discharge and a note for the record. Group
    memberships end that day; the record is read-only for the care team afterwards."""

    serializer_class = EpisodeSerializer

    @extend_schema(request=DischargeSerializer, responses={200: EpisodeSerializer, 400: FIELD_ERRORS,
                                                            403: READ_ONLY})
    def post(self, request, participant_id, episode_id):
        episode = self.episode(episode_id)
        data = self.parsed(DischargeSerializer)
        return Response(EpisodeSerializer(self.write(lambda: episodes.discharge(episode=episode, **data))).data)


# ---- The participant's own


class LevelWordsSerializer(serializers.Serializer):
    since = serializers.DateField()
    level_of_care = serializers.CharField(help_text="In plain words.")


class MyStaySerializer(serializers.Serializer):
    joined_on = serializers.DateField()
    came_back = serializers.BooleanField(help_text="Not the first time in the program.")
    ended_on = serializers.DateField(allow_null=True)
    current = serializers.BooleanField()
    levels = serializers.SerializerMethodField()

    @extend_schema_field(LevelWordsSerializer(many=True))
    def get_levels(self, stay) -> list:
        return [{"since": day, "level_of_care": words} for day, words in stay.levels]


class MyEpisodes(APIView):
    """Your time in the program, newest first: when you joined or came back, when it ended, and
    your level of care in plain words."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = MyStaySerializer

    @extend_schema(responses=MyStaySerializer(many=True))
    def get(self, request):
        return Response(MyStaySerializer(episodes.own_story(request.participant), many=True).data)
