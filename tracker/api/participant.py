"""The participant's API under /api/v1/: their own entries, written by client-made ids, and
their profile, safety plan, progress, patterns and reminders. The care team's API (care.py)
builds on the entry views here."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, parsers, permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .. import audit, dates, push, reminders, selectors, services
from .. import progress as progress_figures
from ..access import counselor_for_user, own_entry, participant_for_user
from ..models import (
    CheckIn,
    Goal,
    HighRiskTime,
    SafetyAnswer,
    SafetyPlanVersion,
    TalkRequest,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
)
from ..security import needs_second_factor
from ..tasks import enqueue_sends
from .parsers import SteadyJSONParser
from .serializers import (
    AccessEventSerializer,
    ActionTokenSerializer,
    CheckInSerializer,
    EntryConflictSerializer,
    GoalSerializer,
    HighRiskTimeSerializer,
    ParticipantSerializer,
    ProgressSerializer,
    PushEndpointSerializer,
    PushSubscriptionSerializer,
    ReflectionSerializer,
    ReminderSettingsSerializer,
    RemindersOverviewSerializer,
    SafetyAnswerSerializer,
    SafetyPlanVersionSerializer,
    SuggestionSerializer,
    TalkRequestSerializer,
    TaskSerializer,
    UrgeSerializer,
    WeekendPlanSerializer,
    WeekendReviewSerializer,
)


class IsParticipant(permissions.BasePermission):
    message = gettext_lazy("Only participants have entries.")

    def has_permission(self, request, view):
        request.participant = participant_for_user(request.user)
        return request.participant is not None


def _date_param(request, name):
    if name not in request.query_params:
        return None
    try:
        return dates.parse_query_date(request.query_params[name])
    except ValueError as error:
        raise ValidationError({name: [str(error)]})


def period_param(request, *, periods, default):
    """?days=: one of `periods`, the default when absent; anything else is a 400."""
    try:
        return progress_figures.parse_period(request.query_params.get("days"), periods=periods, default=default)
    except ValueError as error:
        raise ValidationError({"days": [str(error)]})


DATE_FILTERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First local date to include (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last local date to include (YYYY-MM-DD)."),
]


class EntryList(generics.ListAPIView):
    """Your own entries of one kind, newest first, optionally between two local dates."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    model = None
    count_with_page = True  # one person's entries: the count is read with the page (pagination.py)

    def get_queryset(self):
        first, last = _date_param(self.request, "from"), _date_param(self.request, "to")
        participant = self.request.participant
        queryset = self.model.objects.filter(participant=participant)
        if self.model is Urge:
            # Local dates in the participant's zone, turned into UTC instants.
            if first:
                queryset = queryset.filter(occurred_at__gte=selectors.local_day_bounds(participant, first, first)[0])
            if last:
                queryset = queryset.filter(occurred_at__lt=selectors.local_day_bounds(participant, last, last)[1])
            return queryset
        if first and self.model.ONE_PER:
            queryset = queryset.filter(**{f"{self.model.ONE_PER}__gte": first})
        if last and self.model.ONE_PER:
            queryset = queryset.filter(**{f"{self.model.ONE_PER}__lte": last})
        return queryset

    @extend_schema(parameters=DATE_FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # ListAPIView's own list, with each row answered by the serializer's one reader.
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        context = self.get_serializer_context()
        answer = [represent(self.get_serializer_class(), row, context) for row in (rows if page is None else page)]
        return Response(answer) if page is None else self.get_paginated_response(answer)


def field_errors(error):
    """A model's ValidationError as the API answers it: a model's own rule (clean() without a
    field, such as "an empty check-in") under non_field_errors, as serializers put theirs."""
    detail = serializers.as_serializer_error(error)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


def represent(serializer_class, instance, context=None):
    """What the API answers for one row: by the class's one reader where it has one (serializers.py)."""
    reader = getattr(serializer_class, "represent", None)
    return reader(instance, context) if reader else serializer_class(instance, context=context or {}).data


class EntryDetail(APIView):
    """One of your entries by its client-made id: read it, write it (idempotent PUT), delete it."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    model = None
    serializer_class = None
    put_service = None
    needs_actor = False  # goals and tasks record who wrote them

    def get_object(self, entry_id):
        return own_entry(self.model, participant=self.request.participant, entry_id=entry_id)

    def get(self, request, entry_id, **kwargs):
        return Response(self.serializer_class(self.get_object(entry_id)).data)

    def put_data(self, validated):
        """What the service is given: the serializer's validated data (a view may rename a field)."""
        return validated

    # Exceptions only this kind of entry's service raises, and the API error for each (refusal()).
    own_refusals = ()

    def refusal(self, error):
        raise NotImplementedError

    def put(self, request, entry_id, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"participant": request.participant})
        serializer.is_valid(raise_exception=True)
        extra = {"actor": request.user} if self.needs_actor else {}
        try:
            result = type(self).put_service(participant=request.participant, id=entry_id,
                                            data=self.put_data(serializer.validated_data), **extra)
        except self.own_refusals as error:
            raise self.refusal(error) from error
        except services.EntryNotFound:
            raise Http404(_("No such entry."))
        except services.EntryGone as gone:
            # The outbox takes this as done: the entry was deleted, maybe on another device.
            body = {"detail": _("This entry was deleted, maybe on another device. It was not saved again."),
                    "deleted_at": gone.deleted_at.isoformat()}
            return Response(body, status=status.HTTP_410_GONE)
        except services.EntryConflict as conflict:
            body = {conflict.field: [conflict.message], "existing_id": str(conflict.existing_id)}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise ValidationError(field_errors(error))
        # A replay of the write that made the row answers exactly as that write did.
        created = result.created or (not result.changed and result.entry.never_updated)
        return Response(
            represent(self.serializer_class, result.entry), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(responses={204: None})
    def delete(self, request, entry_id, **kwargs):
        # A replayed delete (a double tap, an outbox) finds its own tombstone: done already.
        if not services.entry_deleted(participant=request.participant, id=entry_id):
            services.entry_delete(entry=self.get_object(entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


ENTRY_GONE = inline_serializer("EntryGone", {"detail": serializers.CharField(),
                                             "deleted_at": serializers.DateTimeField()})


def entry_put_schema(serializer, name):
    """The OpenAPI description of PUT on one kind of entry. extend_schema marks the function it
    decorates, so each detail view decorates a put of its own (which calls the shared one)."""
    return extend_schema(
        request=serializer,
        responses={
            200: serializer,
            201: OpenApiResponse(serializer, description="Created by this body (a replay of it answers the same)."),
            400: OpenApiResponse(description="Field errors: {field: [message, ...]}"),
            404: OpenApiResponse(description="No such entry of yours."),
            409: OpenApiResponse(EntryConflictSerializer, description=f"Another {name} holds this period."),
            410: OpenApiResponse(ENTRY_GONE, description=(
                f"This {name} was deleted (maybe on another device): nothing is saved, and a later write of "
                "this id is refused the same way. Take it as done; a new id is welcome.")),
        },
        description=(
            f"Create or replace your {name} with this client-made id. Sending the same body again "
            "changes nothing and answers the same."
        ),
    )


class CheckInList(EntryList):
    model = CheckIn
    serializer_class = CheckInSerializer


class CheckInDetail(EntryDetail):
    model = CheckIn
    serializer_class = CheckInSerializer
    put_service = staticmethod(services.checkin_put)

    @entry_put_schema(CheckInSerializer, "checkin")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class UrgeList(EntryList):
    model = Urge
    serializer_class = UrgeSerializer


class UrgeDetail(EntryDetail):
    model = Urge
    serializer_class = UrgeSerializer
    put_service = staticmethod(services.urge_put)

    @entry_put_schema(UrgeSerializer, "urge")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class TalkRequestDetail(EntryDetail):
    """"I'd like to talk": written like an entry, so it can wait in the phone's outbox."""

    model = TalkRequest
    serializer_class = TalkRequestSerializer
    put_service = staticmethod(services.talk_request_put)
    http_method_names = ["get", "put", "options"]  # a request once sent stays (the care team acts on it)

    @entry_put_schema(TalkRequestSerializer, "request to talk")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class SafetyAnswerDetail(EntryDetail):
    """An answer above 0 to a safety question (PHQ-9 item 9), sent on its own the moment it is
    given, before the questionnaire is finished: it raises the urgent flag and tells the team."""

    model = SafetyAnswer
    serializer_class = SafetyAnswerSerializer
    put_service = staticmethod(services.safety_answer_put)
    http_method_names = ["get", "put", "options"]  # once sent it stays: the team acts on it

    @entry_put_schema(SafetyAnswerSerializer, "safety answer")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class WeeklyReflectionList(EntryList):
    model = WeeklyReflection
    serializer_class = ReflectionSerializer


class WeeklyReflectionDetail(EntryDetail):
    model = WeeklyReflection
    serializer_class = ReflectionSerializer
    put_service = staticmethod(services.reflection_put)

    @entry_put_schema(ReflectionSerializer, "reflection")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class WeekendPlanList(EntryList):
    model = WeekendPlan
    serializer_class = WeekendPlanSerializer


class WeekendPlanDetail(EntryDetail):
    model = WeekendPlan
    serializer_class = WeekendPlanSerializer
    put_service = staticmethod(services.weekend_plan_put)

    @entry_put_schema(WeekendPlanSerializer, "weekend plan")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class GoalList(EntryList):
    model = Goal
    serializer_class = GoalSerializer


class GoalDetail(EntryDetail):
    model = Goal
    serializer_class = GoalSerializer
    put_service = staticmethod(services.goal_put)
    needs_actor = True

    @entry_put_schema(GoalSerializer, "goal")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class TaskList(EntryList):
    model = Task
    serializer_class = TaskSerializer


class TaskDetail(EntryDetail):
    model = Task
    serializer_class = TaskSerializer
    put_service = staticmethod(services.task_put)
    needs_actor = True

    @entry_put_schema(TaskSerializer, "task")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class HighRiskTimeList(EntryList):
    model = HighRiskTime
    serializer_class = HighRiskTimeSerializer


class HighRiskTimeDetail(EntryDetail):
    model = HighRiskTime
    serializer_class = HighRiskTimeSerializer
    put_service = staticmethod(services.high_risk_time_put)

    @entry_put_schema(HighRiskTimeSerializer, "high-risk time")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class Me(generics.RetrieveUpdateAPIView):
    """Your own participant profile; only the time zone can be changed."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = ParticipantSerializer
    http_method_names = ["get", "patch", "options"]

    def get_object(self):
        return self.request.participant

    def perform_update(self, serializer):
        services.participant_update(participant=self.request.participant, time_zone=serializer.validated_data.get(
            "time_zone", self.request.participant.time_zone))


class AccessLog(generics.ListAPIView):
    """Who on the care team has read, changed or exported your records, newest first."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = AccessEventSerializer

    def get_queryset(self):
        return audit.events_about(self.request.participant)


class SafetyPlanCurrent(APIView):
    """Your safety plan in use: the newest version (number 0 and empty lists before the first save)."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = SafetyPlanVersionSerializer

    def get(self, request):
        return Response(SafetyPlanVersionSerializer(selectors.current_safety_plan(participant=request.participant)).data)


class SafetyPlanVersions(generics.ListAPIView):
    """Every version of your safety plan, newest first."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = SafetyPlanVersionSerializer

    def get_queryset(self):
        return SafetyPlanVersion.objects.filter(participant=self.request.participant).select_related("author")


class SafetyPlanVersionDetail(APIView):
    """One version by its client-made id. PUT saves your plan as a new version; versions never change."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = SafetyPlanVersionSerializer

    def get(self, request, entry_id):
        return Response(SafetyPlanVersionSerializer(
            own_entry(SafetyPlanVersion, participant=request.participant, entry_id=entry_id)).data)

    @extend_schema(responses={201: SafetyPlanVersionSerializer, 400: OpenApiResponse(description="Field errors"),
                              404: OpenApiResponse(description="No such version of yours."),
                              409: OpenApiResponse(description="This id is saved with other content.")})
    def put(self, request, entry_id):
        serializer = SafetyPlanVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = services.safety_plan_save(participant=request.participant, id=entry_id,
                                               data=serializer.validated_data, author=request.user)
        except services.EntryNotFound:
            raise Http404(_("No such version."))
        except services.VersionExists:
            return Response({"id": [_("This version is saved already and versions never change: "
                                      "send your changes with a new id.")]}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise ValidationError(field_errors(error))
        return Response(SafetyPlanVersionSerializer(result.entry).data, status=status.HTTP_201_CREATED)


class WeekendReview(APIView):
    """The weekend's urges (Friday 17:00 to Monday 00:00, your time) and check-ins beside the plan."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = WeekendReviewSerializer

    def get(self, request, entry_id):
        plan = own_entry(WeekendPlan, participant=request.participant, entry_id=entry_id)
        return Response(WeekendReviewSerializer(selectors.weekend_review(plan=plan)).data)


class Progress(APIView):
    """Your own progress over the last 7, 30 or 90 days."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = ProgressSerializer

    @extend_schema(parameters=[OpenApiParameter("days", int, enum=list(progress_figures.PERIODS))])
    def get(self, request):
        days = period_param(request, periods=progress_figures.PERIODS, default=30)
        return Response(ProgressSerializer(progress_figures.progress(participant=request.participant, days=days)).data)


class Patterns(APIView):
    """Windows where your urges cluster, not yet covered by a high-risk time, with the reason."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = SuggestionSerializer

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request):
        return Response(SuggestionSerializer(progress_figures.find_patterns(participant=request.participant), many=True).data)


# Reminders: push subscriptions, settings, and the actions a notification can take.


class IsParticipantOrCounselor(permissions.BasePermission):
    """A participant's phone (reminders) or a counselor's device (urgent notices: tracker.urgent)."""

    message = gettext_lazy("Only participants and counselors receive notifications.")

    def has_permission(self, request, view):
        return IsParticipant().has_permission(request, view) or counselor_for_user(request.user) is not None


class PushSubscriptions(APIView):
    """Register this browser's push subscription (POST) or remove it (DELETE): a participant's for
    reminders, a counselor's for urgent notices."""

    permission_classes = [permissions.IsAuthenticated, IsParticipantOrCounselor]
    serializer_class = PushSubscriptionSerializer

    @extend_schema(responses={201: PushSubscriptionSerializer, 200: PushSubscriptionSerializer})
    def post(self, request):
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.push_subscription_save(
            user=request.user, endpoint=serializer.validated_data["endpoint"], keys=serializer.validated_data["keys"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PushEndpointSerializer, responses={204: None, 404: OpenApiResponse(description="Not yours.")})
    def delete(self, request):
        serializer = PushEndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not services.push_subscription_delete(user=request.user, endpoint=serializer.validated_data["endpoint"]):
            raise Http404(_("No such subscription."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PushKey(APIView):
    """The server's VAPID public key, for PushManager.subscribe({applicationServerKey})."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: {"type": "object", "properties": {"public_key": {"type": "string"}}}})
    def get(self, request):
        return Response({"public_key": push.public_key()})


class ReminderSettings(generics.RetrieveUpdateAPIView):
    """When you are reminded, your quiet hours, and the channels."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = ReminderSettingsSerializer
    http_method_names = ["get", "patch", "options"]

    def get_object(self):
        return self.request.participant

    def perform_update(self, serializer):
        services.reminder_settings_update(participant=self.request.participant, data=serializer.validated_data)


class RemindersOverview(APIView):
    """Your next reminders and the last ones sent."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = RemindersOverviewSerializer

    def get(self, request):
        participant = request.participant
        return Response(RemindersOverviewSerializer({
            "upcoming": reminders.upcoming(participant=participant),
            "recent": reminders.recent_deliveries(participant=participant),
            "push_subscriptions": participant.user.push_subscriptions.count(),
        }).data)


class TestNotification(APIView):
    """Send yourself a notification now, the way reminders are sent."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]

    @extend_schema(request=None, responses={202: None})
    def post(self, request):
        reminders.test_notification_send(participant=request.participant, enqueue=enqueue_sends)
        return Response(status=status.HTTP_202_ACCEPTED)


class TokenAction(APIView):
    """An action from a notification, authorised by the signed, short-lived token in its payload
    (a service worker has no CSRF cookie). A bad or old token is a 404, like an unknown id."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = ActionTokenSerializer

    def delivery(self, request):
        serializer = ActionTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = reminders.delivery_for_token(serializer.validated_data["token"])
        if delivery is None:
            raise Http404(_("No such reminder."))
        return delivery


class Snooze(TokenAction):
    @extend_schema(auth=[], responses={200: {"type": "object", "properties": {"next_due_at": {"type": "string",
                                                                                     "format": "date-time"}}}})
    def post(self, request):
        reminder = reminders.reminder_snooze(delivery=self.delivery(request))
        if reminder is None:  # off, closed, or this notification's reminder has fired again since
            raise Http404(_("No such reminder."))
        return Response({"next_due_at": reminder.next_due_at})


class Opened(TokenAction):
    @extend_schema(auth=[], responses={204: None})
    def post(self, request):
        reminders.delivery_opened(delivery=self.delivery(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenAnswerSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)



class ObtainParticipantToken(ObtainAuthToken):
    """POST username and password (JSON) for an API token; refused for accounts with a second
    factor. Needs no token and ignores any Authorization header: the password is the proof.
    (A form body is still taken, undocumented, for older scripts.)"""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, SteadyJSONParser]

    @extend_schema(request={"application/json": AuthTokenSerializer}, responses={200: TokenAnswerSerializer}, auth=[])
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if needs_second_factor(serializer.validated_data["user"]):
            raise ValidationError({"non_field_errors": [
                _("This account signs in on the web with its second factor; tokens are not issued to it.")]})
        return super().post(request, *args, **kwargs)
