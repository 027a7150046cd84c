"""The care team's API under /api/v1/care/: the same reads as the counselor pages, and a
person's goals and tasks written on their behalf.

Every view gets its participant from tracker.access (a 404 and a denied audit row for anyone
off the care team) and leaves exactly one audit row per allowed request: a write's row in the
write's transaction, a read's row before the answer goes out.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, audit, care, dates, episodes, exports, plan_reviews, services, triage
from ..models import (
    AuditEvent,
    CheckIn,
    Goal,
    SafetyPlanVersion,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    week_start,
)
from .participant import EntryDetail, EntryList, entry_put_schema, period_param
from .serializers import (
    AcknowledgementSerializer,
    CareCheckInSerializer,
    CareGoalSerializer,
    CareUrgeSerializer,
    CaseloadRowSerializer,
    ExportSerializer,
    FlagSerializer,
    OverviewSerializer,
    ReflectionSerializer,
    SafetyPlanVersionSerializer,
    TaskSerializer,
    WeekendPlanSerializer,
    WeekSummarySerializer,
)

Action = AuditEvent.Action


class CareAccess:
    """Mixin for APIView subclasses: access through tracker.access, and the audit row."""

    permission_classes = [permissions.IsAuthenticated]
    audit_resource = ""
    audit_action = Action.READ
    participant = None
    counselor = None
    audit_object_id = ""
    # A write allowed about a discharged person (tracker.access.care_participant).
    while_discharged = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.upper() not in self.allowed_methods:
            raise MethodNotAllowed(request.method)  # before the access check: a 405 names nobody
        self.audit_shown = ()
        if "participant_id" in kwargs:
            try:
                self.participant = access.care_participant(
                    request, kwargs["participant_id"], resource=self.audit_resource,
                    for_write=request.method not in permissions.SAFE_METHODS, while_discharged=self.while_discharged)
            except access.ReadOnlyRecord as refusal:
                raise PermissionDenied(str(refusal)) from None
            request.participant = self.participant
            self.counselor = request.counselor
        else:
            self.counselor = access.caseload_counselor(request, resource=self.audit_resource)
        self.access_granted = True

    def finalize_response(self, request, response, *args, **kwargs):
        # Reads are recorded once the answer is ready; if the row cannot be written, the
        # answer is not sent (the error propagates).
        if getattr(self, "access_granted", False) and response.status_code < 400 and not audit.recorded(request):
            audit.record(request, action=self.audit_action, resource=self.audit_resource, participant=self.participant,
                         object_id=self.kwargs.get("entry_id") or self.audit_object_id, shown=self.audit_shown)
        return super().finalize_response(request, response, *args, **kwargs)

    def record_write(self, request, object_id=""):
        """Call inside the write's transaction."""
        audit.record(request, action=Action.WRITE, resource=self.audit_resource, participant=self.participant,
                     object_id=object_id)


# A person's entries: goals and tasks read and written (each write audited in its transaction),
# check-ins, urges and reflections read only (notes they marked private come out empty).


class CareEntryDetail(CareAccess, EntryDetail):
    def put(self, request, entry_id, **kwargs):
        with transaction.atomic():
            response = super().put(request, entry_id, **kwargs)
            if response.status_code < 300:
                self.record_write(request, entry_id)
        return response

    @extend_schema(responses={204: None})
    def delete(self, request, entry_id, **kwargs):
        with transaction.atomic():
            response = super().delete(request, entry_id, **kwargs)
            self.record_write(request, entry_id)
        return response


class CareEntryList(CareAccess, EntryList):
    pass


class CareGoalList(CareEntryList):
    model = Goal
    serializer_class = CareGoalSerializer  # with review_on (issue 18)
    audit_resource = "goals"


class CareGoalDetail(CareEntryDetail):
    model = Goal
    serializer_class = CareGoalSerializer
    put_service = staticmethod(plan_reviews.care_goal_put)  # review_on as well (issue 18)
    needs_actor = True
    audit_resource = "goals"

    @entry_put_schema(CareGoalSerializer, "goal")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class CareTaskList(CareEntryList):
    model = Task
    serializer_class = TaskSerializer
    audit_resource = "tasks"


class CareTaskDetail(CareEntryDetail):
    model = Task
    serializer_class = TaskSerializer
    put_service = staticmethod(services.task_put)
    needs_actor = True
    audit_resource = "tasks"

    @entry_put_schema(TaskSerializer, "task")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class CareCheckInList(CareEntryList):
    model = CheckIn
    serializer_class = CareCheckInSerializer
    audit_resource = "checkins"


class CareUrgeList(CareEntryList):
    model = Urge
    serializer_class = CareUrgeSerializer
    audit_resource = "urges"


class CareWeeklyReflectionList(CareEntryList):
    model = WeeklyReflection
    serializer_class = ReflectionSerializer
    audit_resource = "reflections"


class Caseload(CareAccess, APIView):
    """Everyone on your care team, most in need first, with the flags that explain it."""

    audit_resource = "caseload"
    serializer_class = CaseloadRowSerializer

    @extend_schema(responses=CaseloadRowSerializer(many=True))
    def get(self, request):
        rows = triage.caseload(episodes.in_treatment(self.counselor.caseload).select_related("user"))
        self.audit_shown = [row.participant.pk for row in rows]
        return Response(CaseloadRowSerializer(rows, many=True).data)


class Acknowledgements(CareAccess, APIView):
    """Acknowledge a flag: it stays visible but ranks lower until something new happens."""

    audit_resource = "acknowledgement"
    serializer_class = AcknowledgementSerializer

    @extend_schema(request=AcknowledgementSerializer, responses={201: FlagSerializer, 400: OpenApiResponse(
        description="Field errors: {field: [message, ...]}")})
    def post(self, request, participant_id):
        serializer = AcknowledgementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            flag = services.flag_acknowledge(request=request, participant=self.participant, counselor=self.counselor,
                                             **serializer.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict)
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class Overview(CareAccess, APIView):
    """A person's trends over 30, 90 or 365 days: the numbers behind the participant view."""

    audit_resource = "overview"
    serializer_class = OverviewSerializer

    @extend_schema(parameters=[OpenApiParameter("days", int, enum=list(care.PERIODS))])
    def get(self, request, participant_id):
        period = period_param(request, periods=care.PERIODS, default=30)
        return Response(OverviewSerializer(care.overview(participant=self.participant, period=period)).data)


def week_param(value, participant):
    if not value:
        return care.default_week(participant)
    try:
        return week_start(dates.parse_query_date(value))
    except ValueError as error:
        raise ValidationError({"week": [str(error)]})


class Summary(CareAccess, APIView):
    """One week (Monday to Sunday) in short: what to read before a session."""

    audit_resource = "summary"
    serializer_class = WeekSummarySerializer

    @extend_schema(parameters=[OpenApiParameter("week", OpenApiTypes.DATE, description=(
        "Any day of the week wanted; by default this week from Wednesday, last week before."))])
    def get(self, request, participant_id):
        monday = week_param(request.query_params.get("week"), self.participant)
        return Response(WeekSummarySerializer(care.week_summary(participant=self.participant, monday=monday)).data)


class Export(CareAccess, APIView):
    """Everything of this person's that a counselor may see, with the 42 CFR Part 2 notice."""

    audit_resource = "export"
    audit_action = Action.EXPORT
    serializer_class = ExportSerializer

    def get(self, request, participant_id):
        return Response(exports.care_export_json(participant=self.participant, user=request.user))


class SafetyPlanVersions(CareAccess, generics.ListAPIView):
    """The safety plan's versions, newest first (the first one is the plan in use)."""

    audit_resource = "safety-plan"
    serializer_class = SafetyPlanVersionSerializer

    def get_queryset(self):
        return SafetyPlanVersion.objects.filter(participant=self.participant).order_by("-number").select_related("author")


class WeekendPlans(CareAccess, generics.ListAPIView):
    """Weekend plans, newest first, with how the weekend went."""

    audit_resource = "weekend-plans"
    serializer_class = WeekendPlanSerializer

    def get_queryset(self):
        return WeekendPlan.objects.filter(participant=self.participant).order_by("-weekend_of")

