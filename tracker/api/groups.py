"""The roll, for a group's facilitators and its program's admins (issue 16, attendance):

- GET  /api/v1/care/sessions/today/: today's sessions of the groups the signed-in counselor runs;
- GET  /api/v1/care/sessions/<id>/roll/: the session's members, their marks, notice given, and
  group hours this week against the target: roll-level facts only (tracker.attendance);
- PUT  /api/v1/care/sessions/<id>/attendance/<participant id>/: one mark, idempotent, keyed by
  session and participant; the later recorded time wins, an older one gets a 409 with the
  current mark.

Access through tracker.access.group_session_for_staff (anyone else: 404 and a denied row); every
allowed request leaves one audit row.
"""

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import access, attendance, audit
from ..models import Attendance, AuditEvent, Participant
from .serializers import RefuseUnknownFieldsMixin


def mark_id(session_id, participant_id):
    """The key of one mark, as the page's outbox names it (its 2xx answer names it back)."""
    return f"attendance-{session_id}-{participant_id}"


class MarkSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    id = serializers.CharField(read_only=True, help_text="attendance-<session id>-<participant id>")
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    minutes = serializers.IntegerField(min_value=0, max_value=600, required=False, allow_null=True,
                                       help_text="Empty: the session's scheduled length (present, late, left early).")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                   help_text="Left out: the stored reason is kept.")
    recorded_at = serializers.DateTimeField(help_text="When the mark was made on the device; the later one wins.")
    walk_in = serializers.BooleanField(required=False, default=False,
                                       help_text="Mark a participant of the program who is not a member.")


class CurrentMarkSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    minutes = serializers.IntegerField(allow_null=True)
    recorded_at = serializers.DateTimeField()


class StaleSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = CurrentMarkSerializer()


class RollRowSerializer(serializers.Serializer):
    participant_id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    minutes = serializers.IntegerField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)
    walk_in = serializers.BooleanField()
    notice_given = serializers.BooleanField()
    hours_this_week = serializers.FloatField()
    hours_target = serializers.FloatField(allow_null=True)


class RollSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    group = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()
    place = serializers.CharField()


class RollSerializer(serializers.Serializer):
    session = RollSessionSerializer()
    members = RollRowSerializer(many=True)


def mark_body(row):
    return {"id": mark_id(row.session_id, row.participant_id), "status": row.status, "minutes": row.minutes,
            "reason": row.reason, "recorded_at": row.recorded_at, "walk_in": False}


def session_body(session):
    return {"id": session.pk, "group": session.group.name, "starts_at": session.starts_at, "ends_at": session.ends_at,
            "status": session.status, "place": session.place or session.group.place}


def roll_body(session, counselor):
    rows = attendance.roll(session, counselor)
    return {"session": session_body(session), "members": [{
        "participant_id": row.participant.pk, "name": str(row.participant), "status": row.status,
        "minutes": row.attendance.minutes if row.attendance else None,
        "recorded_at": row.attendance.recorded_at if row.attendance else None,
        "walk_in": row.walk_in, "notice_given": row.notice_given, "hours_this_week": row.hours_this_week,
        "hours_target": row.hours_target} for row in rows]}, rows


class SessionAccess(APIView):
    permission_classes = [permissions.IsAuthenticated]
    audit_resource = "roll"

    def session(self, request, session_id):
        return access.group_session_for_staff(request, session_id, resource=self.audit_resource)


class TodaysSessions(SessionAccess):
    @extend_schema(responses={200: RollSessionSerializer(many=True)},
                   description="Today's sessions (in the program's zone) of the groups you facilitate.")
    def get(self, request):
        counselor = access.caseload_counselor(request, resource="roll")
        sessions = attendance.todays_sessions(counselor, timezone.now())
        response = Response(RollSessionSerializer([session_body(s) for s in sessions], many=True).data)
        audit.record(request, action=AuditEvent.Action.READ, resource="roll")
        return response


class Roll(SessionAccess):
    @extend_schema(responses={200: RollSerializer},
                   description="The session's roll: roll-level facts only (no flags, reasons or entries).")
    def get(self, request, session_id):
        session = self.session(request, session_id)
        body, rows = roll_body(session, request.counselor)
        response = Response(RollSerializer(body).data)
        audit.record(request, action=AuditEvent.Action.READ, resource="roll", object_id=session.pk,
                     shown=[row.participant.pk for row in rows])
        return response


class Mark(SessionAccess):
    audit_resource = "attendance"

    @extend_schema(request=MarkSerializer, responses={
        200: MarkSerializer,
        400: OpenApiResponse(description="Field errors, or a session or person that takes no mark."),
        404: OpenApiResponse(description="No such session of yours, or no such participant in its program."),
        409: OpenApiResponse(StaleSerializer, description="A later mark is stored: here it is."),
    }, description=("Mark one person at one session. Idempotent: keyed by session and participant; the later "
                    "recorded_at wins, an older one is refused with the current mark."))
    def put(self, request, session_id, participant_id):
        session = self.session(request, session_id)
        participant = Participant.objects.filter(pk=participant_id, program_id=session.group.program_id).first()
        if participant is None:
            audit.deny(request, resource=self.audit_resource, participant_id=participant_id)
            raise Http404(_("No such participant."))
        serializer = MarkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with transaction.atomic():
                row, _changed = attendance.mark(request, session, participant, status=data["status"],
                                                minutes=data.get("minutes"), reason=data.get("reason"),
                                                recorded_at=data["recorded_at"], walk_in=data["walk_in"])
        except ValueError as error:
            return Response({"minutes": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        except attendance.Refused as refused:
            if refused.code == "stale":
                current = refused.current
                return Response({"detail": refused.message, "current": {
                    "id": mark_id(session.pk, participant.pk), "status": current.status, "minutes": current.minutes,
                    "recorded_at": current.recorded_at}}, status=status.HTTP_409_CONFLICT)
            return Response({"detail": refused.message}, status=status.HTTP_400_BAD_REQUEST)
        body = mark_body(row)
        body["walk_in"] = data["walk_in"]
        return Response(MarkSerializer(body).data)
