"""The participant's side of group in the API: their groups, their sessions (with their own
attendance and notice), and notices of absence written by client id (PUT), like other entries.

A notice's reason is for the person and their care team; nothing here is open to counselors."""

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, permissions, serializers

from .. import absence, services
from ..models import AbsenceNotice, Attendance, Group, GroupSession
from .participant import EntryDetail, IsParticipant, entry_put_schema
from .serializers import StrictModelSerializer

# Sessions listed: those started in the last RECENT and those starting in the next AHEAD.
RECENT = dt.timedelta(days=14)
AHEAD = dt.timedelta(days=14)


class MemberSessionField(serializers.PrimaryKeyRelatedField):
    """A session of one of the participant's groups (anyone else's reads as not found)."""

    def get_queryset(self):
        participant = self.context.get("participant")
        if participant is None:
            return GroupSession.objects.none()
        return GroupSession.objects.filter(group__memberships__participant=participant).select_related(
            "group__program").distinct()


class AbsenceNoticeSerializer(StrictModelSerializer):
    session = MemberSessionField()
    ahead = serializers.BooleanField(read_only=True, help_text="Given before the session started.")

    class Meta:
        model = AbsenceNotice
        fields = ["id", *AbsenceNotice.WRITABLE, "ahead", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class GroupSerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(source="program.time_zone", read_only=True,
                                      help_text="The zone of the weekdays and start time.")
    joined_on = serializers.DateField(read_only=True)
    left_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Group
        fields = ["id", "name", "kind", "weekdays", "start_time", "length_min", "time_zone", "place", "video_url",
                  "active_from", "active_to", "joined_on", "left_on"]


class OwnNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AbsenceNotice
        fields = ["id", "reason", "words", "created_at"]


class MySessionSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    kind = serializers.CharField(source="group.kind", read_only=True)
    place = serializers.SerializerMethodField()
    video_url = serializers.CharField(source="group.video_url", read_only=True)
    attendance = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()

    class Meta:
        model = GroupSession
        fields = ["id", "group", "group_name", "kind", "starts_at", "ends_at", "status", "topic", "place", "video_url",
                  "attendance", "notice"]

    def get_place(self, session) -> str:
        return session.place or session.group.place

    def get_attendance(self, session) -> str:
        """Your own mark: unmarked until the roll is taken."""
        marks = [a.status for a in session.own_attendance]
        return marks[0] if marks else Attendance.Status.UNMARKED

    @extend_schema_field(OwnNoticeSerializer(allow_null=True))
    def get_notice(self, session):
        notices = session.own_notices
        return OwnNoticeSerializer(notices[0]).data if notices else None


class Groups(generics.ListAPIView):
    """The groups you belong to (or belonged to), with their weekly schedule in the program's zone."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = GroupSerializer

    def get_queryset(self):
        participant = self.request.participant
        groups = []
        for membership in participant.group_memberships.select_related("group__program").order_by("joined_on", "pk"):
            group = membership.group
            group.joined_on, group.left_on = membership.joined_on, membership.left_on
            groups.append(group)
        return groups


class Sessions(generics.ListAPIView):
    """Your groups' sessions from two weeks ago to two weeks ahead, with your own attendance and
    notice: only sessions on days you belonged to the group."""

    permission_classes = [permissions.IsAuthenticated, IsParticipant]
    serializer_class = MySessionSerializer

    def get_queryset(self):
        participant = self.request.participant
        now = timezone.now()
        memberships = list(participant.group_memberships.all())
        sessions = (GroupSession.objects
                    .filter(group_id__in={m.group_id for m in memberships},
                            starts_at__gte=now - RECENT, starts_at__lt=now + AHEAD)
                    .select_related("group__program").order_by("starts_at", "pk")
                    .prefetch_related(
                        Prefetch("attendance", Attendance.objects.filter(participant=participant),
                                 to_attr="own_attendance"),
                        Prefetch("notices", AbsenceNotice.objects.filter(participant=participant),
                                 to_attr="own_notices")))
        return [s for s in sessions if absence._member_on(memberships, s)]


class NoticeDetail(EntryDetail):
    """"Can't make it" (before a session) or "I missed it" (after it, within a week, when you were
    not marked there): one per session; a second one for the same session answers 409 with the
    existing one's id."""

    model = AbsenceNotice
    serializer_class = AbsenceNoticeSerializer
    put_service = staticmethod(services.absence_notice_put)
    http_method_names = ["get", "put", "options"]  # the roll may already show it: it stays

    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)

    put = entry_put_schema(AbsenceNoticeSerializer, "notice")(put)
