"""Program outcomes for program admins (issue 18): GET /api/v1/care/program/outcomes/?period=...

Program admins only (tracker.access.program_admin: anyone else gets a 404 and a denied row). The
same figures as the page /care/program/, suppressed the same way (tracker.outcomes): a hidden
value is the string "<11". One audit row per answer, about the program (no participant).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, audit, outcomes
from ..models import AuditEvent

RESOURCE = "program-outcomes"


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"2026-Q3", "2026" or "2026-01-05..2026-03-31".')
    first = serializers.DateField()
    last = serializers.DateField()
    until = serializers.DateField(help_text="Figures are counted up to this day (today while the period runs).")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()


class SectionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["census", "attendance", "hours", "retention", "dropout", "discharges",
                                           "measures", "reasons"])
    title = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()), help_text=(
        'One object per row, keyed by the columns\' keys: a label, a number, "<11" where hidden, or null where '
        "there is nothing to divide."))


class StepSerializer(serializers.Serializer):
    day = serializers.IntegerField()
    still_in_treatment = serializers.FloatField(help_text="The Kaplan-Meier estimate, 0 to 1.")


class CurveSerializer(serializers.Serializer):
    cohort = serializers.CharField()
    steps = StepSerializer(many=True, help_text="Empty where the cohort has fewer than 11 people.")


class OutcomesSerializer(serializers.Serializer):
    program = serializers.CharField()
    period = PeriodSerializer()
    suppressed = serializers.CharField(help_text='How a hidden value is written: "<11".')
    sections = SectionSerializer(many=True)
    retention_curves = CurveSerializer(many=True)


def body(report):
    return {
        "program": report.program.name,
        "period": {"key": report.period.key, "first": report.period.first, "last": report.period.last,
                   "until": report.until},
        "suppressed": outcomes.SUPPRESSED,
        "sections": [{"key": table.key, "title": table.title, "note": table.note,
                      "columns": [{"key": key, "title": title} for key, title in table.columns],
                      "rows": [dict(zip((key for key, _title in table.columns), row)) for row in table.rows]}
                     for table in report.tables.values()],
        "retention_curves": [{"cohort": curve.label, "steps": [{"day": day, "still_in_treatment": round(s, 4)}
                                                               for day, s in curve.steps]}
                             for curve in report.curves],
    }


class ProgramOutcomes(APIView):
    """The program's outcome figures for a period: program admins only."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OutcomesSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.upper() not in self.allowed_methods:
            raise MethodNotAllowed(request.method)
        self.admin = access.program_admin(request, resource=RESOURCE)

    @extend_schema(parameters=[OpenApiParameter("period", str, description=(
        'A quarter ("2026-Q3"), a year ("2026") or two days at least a month apart ("2026-01-05..2026-03-31"); '
        "left out: the last twelve months."))], responses={200: OutcomesSerializer, 400: OpenApiResponse(
            description='Field errors: {"period": [message]}.')})
    def get(self, request):
        program = self.admin.program
        today = timezone.now().astimezone(program.zone).date()
        try:
            period = outcomes.parse_period(request.query_params.get("period", ""), today=today)
        except DjangoValidationError as error:
            raise ValidationError({"period": error.messages}) from None
        report = outcomes.report(program=program, period=period, today=today)
        data = OutcomesSerializer(body(report)).data
        audit.record(request, action=AuditEvent.Action.READ, resource=RESOURCE, object_id=period.key)
        return Response(data)
