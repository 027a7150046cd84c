"""The REST API under /api/v1/: a participant's own entries, written by client-made ids."""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .access import own_entry, participant_for_user
from .models import CheckIn, Urge, WeeklyReflection
from .serializers import (
    CheckInSerializer,
    EntryConflictSerializer,
    ParticipantSerializer,
    ReflectionSerializer,
    UrgeSerializer,
)


class IsParticipant(permissions.BasePermission):
    message = "Only participants have entries."

    def has_permission(self, request, view):
        request.participant = participant_for_user(request.user)
        return request.participant is not None


def _date_param(request, name):
    value = request.query_params.get(name)
    if not value:
        return None
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
        if first:
            queryset = queryset.filter(**{f"{self.model.ONE_PER}__gte": first})
        if last:
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

    def get_object(self, entry_id):
        return own_entry(self.model, participant=self.request.participant, entry_id=entry_id)

    def get(self, request, entry_id):
        return Response(self.serializer_class(self.get_object(entry_id)).data)

    def put(self, request, entry_id):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = type(self).put_service(participant=request.participant, id=entry_id, data=serializer.validated_data)
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

    def delete(self, request, entry_id):
        services.entry_delete(entry=self.get_object(entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _entry_endpoints(model, serializer, put, name):
    plural = f"{name}s"
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
        f"{model.__name__}Detail",
        (EntryDetail,),
        {"model": model, "serializer_class": serializer, "put_service": staticmethod(put),
         "put": put_doc(EntryDetail.put),
         "delete": extend_schema(responses={204: None})(EntryDetail.delete)},
    )
    listing = type(f"{model.__name__}List", (EntryList,), {"model": model, "serializer_class": serializer})
    return plural, listing, detail


CHECKINS = _entry_endpoints(CheckIn, CheckInSerializer, services.checkin_put, "checkin")
URGES = _entry_endpoints(Urge, UrgeSerializer, services.urge_put, "urge")
REFLECTIONS = _entry_endpoints(WeeklyReflection, ReflectionSerializer, services.reflection_put, "reflection")
ENTRY_ENDPOINTS = [CHECKINS, URGES, REFLECTIONS]


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
