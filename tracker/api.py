"""The REST API under /api/v1/: a participant's own entries, written by client-made ids."""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.views import APIView

from . import audit, selectors, services
from .access import own_entry, participant_for_user
from . import progress as progress_figures
from . import push, reminders
from .care_api import CareAccess
from .security import needs_second_factor
from .models import CheckIn, Goal, HighRiskTime, SafetyPlanVersion, Task, Urge, WeekendPlan, WeeklyReflection
from .serializers import (
    CareCheckInSerializer,
    CareUrgeSerializer,
    CheckInSerializer,
    EntryConflictSerializer,
    GoalSerializer,
    HighRiskTimeSerializer,
    ParticipantSerializer,
    AccessEventSerializer,
    ActionTokenSerializer,
    ProgressSerializer,
    PushEndpointSerializer,
    PushSubscriptionSerializer,
    ReminderSettingsSerializer,
    RemindersOverviewSerializer,
    ReflectionSerializer,
    SafetyPlanVersionSerializer,
    SuggestionSerializer,
    TaskSerializer,
    UrgeSerializer,
    WeekendPlanSerializer,
    WeekendReviewSerializer,
)


class IsParticipant(permissions.BasePermission):
    message = "Only participants have entries."

    def has_permission(self, request, view):
        request.participant = participant_for_user(request.user)
        return request.participant is not None


def _date_param(request, name):
    if name not in request.query_params:
        return None
    value = request.query_params[name]
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: ["Enter a date as YYYY-MM-DD."]})


DATE_FILTERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First local date to include (YYYY-MM-DD)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last local date to include (YYYY-MM-DD)."),
]


class EntryList(generics.ListAPIView):
    """Your own entries of one kind, newest first, optionally between two local dates."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    model = None

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

    def put(self, request, entry_id, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"participant": request.participant})
        serializer.is_valid(raise_exception=True)
        extra = {"actor": request.user} if self.needs_actor else {}
        try:
            result = type(self).put_service(participant=request.participant, id=entry_id,
                                            data=serializer.validated_data, **extra)
        except services.EntryNotFound:
            raise Http404("No such entry.")
        except services.EntryConflict as conflict:
            body = {conflict.field: [conflict.message], "existing_id": str(conflict.existing_id)}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error))
        # A replay of the write that made the row answers exactly as that write did.
        created = result.created or (not result.changed and result.entry.never_updated)
        return Response(
            self.serializer_class(result.entry).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    def delete(self, request, entry_id, **kwargs):
        services.entry_delete(entry=self.get_object(entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _own_copy(method):
    def copy(self, *args, **kwargs):
        return method(self, *args, **kwargs)

    copy.__name__, copy.__doc__ = method.__name__, method.__doc__
    return copy


def _entry_endpoints(model, serializer, put, name, plural=None, base=EntryDetail, listing_base=None):
    plural = plural or f"{name}s"
    put_doc = extend_schema(
        request=serializer,
        responses={
            200: serializer,
            201: OpenApiResponse(serializer, description="Created by this body (a replay of it answers the same)."),
            400: OpenApiResponse(description="Field errors: {field: [message, ...]}"),
            404: OpenApiResponse(description="No such entry of yours."),
            409: OpenApiResponse(EntryConflictSerializer, description=f"Another {name} holds this period."),
        },
        description=(
            f"Create or replace your {name} with this client-made id. Sending the same body again "
            "changes nothing and answers the same."
        ),
    )
    detail = type(
        f"{base.__name__.removesuffix('Detail')}{model.__name__}Detail",
        (base,),
        {"model": model, "serializer_class": serializer, "put_service": staticmethod(put),
         "needs_actor": model in (Goal, Task),
         # A function of its own per model: extend_schema marks the function it is given.
         "put": put_doc(_own_copy(base.put)),
         "delete": extend_schema(responses={204: None})(_own_copy(base.delete))},
    )
    listing_base = listing_base or EntryList
    listing = type(f"{listing_base.__name__.removesuffix('List')}{model.__name__}List", (listing_base,),
                   {"model": model, "serializer_class": serializer})
    return plural, listing, detail


CHECKINS = _entry_endpoints(CheckIn, CheckInSerializer, services.checkin_put, "checkin")
URGES = _entry_endpoints(Urge, UrgeSerializer, services.urge_put, "urge")
REFLECTIONS = _entry_endpoints(WeeklyReflection, ReflectionSerializer, services.reflection_put, "reflection")
ENTRY_ENDPOINTS = [
    CHECKINS,
    URGES,
    REFLECTIONS,
    _entry_endpoints(WeekendPlan, WeekendPlanSerializer, services.weekend_plan_put, "weekend plan", "weekend-plans"),
    _entry_endpoints(Goal, GoalSerializer, services.goal_put, "goal"),
    _entry_endpoints(Task, TaskSerializer, services.task_put, "task"),
    _entry_endpoints(HighRiskTime, HighRiskTimeSerializer, services.high_risk_time_put, "high-risk time",
                     "high-risk-times"),
]


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
            raise Http404("No such version.")
        except services.VersionExists:
            return Response({"id": ["This version is saved already and versions never change: "
                                    "send your changes with a new id."]}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise ValidationError(serializers.as_serializer_error(error))
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
        try:
            days = int(request.query_params.get("days", 30))
        except ValueError:
            days = 0
        if days not in progress_figures.PERIODS:
            raise ValidationError({"days": [f"Pick one of {', '.join(map(str, progress_figures.PERIODS))}."]})
        figures = progress_figures.progress(participant=request.participant, days=days)
        data = {
            "first": figures.first, "last": figures.last, "checkin_days": figures.checkin_days,
            "avg_total_sleep_min": figures.avg_total_sleep_min, "avg_sleep_efficiency": figures.avg_sleep_efficiency,
            "avg_sleep_quality": figures.avg_sleep_quality, "avg_stress": figures.avg_stress,
            "urge_count": figures.urge_count, "avg_intensity": figures.avg_intensity,
            "avg_duration_min": figures.avg_duration_min,
            "wins": [{"date": day.isoformat(), "text": text} for day, text in figures.wins],
            "helpers": figures.helpers, "helpers_unranked": figures.helpers_unranked,
            "days": [{
                "date": day.date, "checked_in": day.checkin is not None,
                **{name: getattr(day.checkin, name, None) for name in
                   ("total_sleep_min", "sleep_efficiency", "sleep_quality", "stress")},
                "urges": day.urge_count,
                "avg_urge_intensity": progress_figures.mean([u.intensity for u in day.urges]),
                "avg_urge_duration_min": progress_figures.mean([u.duration_min for u in day.urges]),
            } for day in figures.days],
        }
        return Response(ProgressSerializer(data).data)


class Patterns(APIView):
    """Windows where your urges cluster, not yet covered by a high-risk time, with the reason."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = SuggestionSerializer

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request):
        return Response(SuggestionSerializer(progress_figures.find_patterns(participant=request.participant), many=True).data)


# The care team reads a person's entries and writes their goals and tasks (tracker.care_api).


class CareEntryDetail(CareAccess, EntryDetail):
    def put(self, request, entry_id, **kwargs):
        with transaction.atomic():
            response = super().put(request, entry_id, **kwargs)
            if response.status_code < 300:
                self.record_write(request, entry_id)
        return response

    def delete(self, request, entry_id, **kwargs):
        with transaction.atomic():
            response = super().delete(request, entry_id, **kwargs)
            self.record_write(request, entry_id)
        return response


class CareEntryList(CareAccess, EntryList):
    pass


def _care_endpoints(model, serializer, put, name, plural=None):
    plural, listing, detail = _entry_endpoints(model, serializer, put, name, plural, base=CareEntryDetail,
                                               listing_base=CareEntryList)
    listing.audit_resource = detail.audit_resource = plural
    return plural, listing, detail


def _care_reads(model, serializer, plural):
    """Read-only lists of a person's entries for the care team (private notes come out empty)."""
    listing = type(f"Care{model.__name__}List", (CareEntryList,),
                   {"model": model, "serializer_class": serializer, "audit_resource": plural})
    return plural, listing


CARE_ENDPOINTS = [
    _care_endpoints(Goal, GoalSerializer, services.goal_put, "goal"),
    _care_endpoints(Task, TaskSerializer, services.task_put, "task"),
]
CARE_READS = [
    _care_reads(CheckIn, CareCheckInSerializer, "checkins"),
    _care_reads(Urge, CareUrgeSerializer, "urges"),
    _care_reads(WeeklyReflection, ReflectionSerializer, "reflections"),
]


# Reminders: push subscriptions, settings, and the actions a notification can take.


class PushSubscriptions(APIView):
    """Register this browser's push subscription (POST) or remove it (DELETE)."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
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
            raise Http404("No such subscription.")
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
        reminders.test_notification_send(participant=request.participant)
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
            raise Http404("No such reminder.")
        return delivery


class Snooze(TokenAction):
    @extend_schema(responses={200: {"type": "object", "properties": {"next_due_at": {"type": "string",
                                                                                     "format": "date-time"}}}})
    def post(self, request):
        reminder = reminders.reminder_snooze(delivery=self.delivery(request))
        return Response({"next_due_at": reminder.next_due_at})


class Opened(TokenAction):
    @extend_schema(responses={204: None})
    def post(self, request):
        reminders.delivery_opened(delivery=self.delivery(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ObtainParticipantToken(ObtainAuthToken):
    """POST username and password for an API token; refused for accounts with a second factor."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if needs_second_factor(serializer.validated_data["user"]):
            raise ValidationError({"non_field_errors": [
                "This account signs in on the web with its second factor; tokens are not issued to it."]})
        return super().post(request, *args, **kwargs)
