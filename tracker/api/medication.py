"""Medications and their times (issue 17): the person's own under /api/v1/medications/, and the
care team's for a person under /api/v1/care/participants/<id>/medications/. Written like every
entry (PUT by client-made id); each write plans the medication's reminders again."""

from .. import services
from ..models import Medication
from .care import CareEntryDetail, CareEntryList
from .participant import EntryDetail, EntryList, entry_put_schema
from .serializers import MedicationSerializer


class MedicationList(EntryList):
    """Your medications, by name (the ones you stopped too)."""

    model = Medication
    serializer_class = MedicationSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("added_by__user")


class MedicationDetail(EntryDetail):
    model = Medication
    serializer_class = MedicationSerializer
    put_service = staticmethod(services.medication_put)
    needs_actor = True  # a counselor who adds one is recorded (the person's own: nobody)

    @entry_put_schema(MedicationSerializer, "medication")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)


class CareMedicationList(CareEntryList):
    """The person's medications, by name (stopped ones too)."""

    model = Medication
    serializer_class = MedicationSerializer
    audit_resource = "medications"

    def get_queryset(self):
        return super().get_queryset().select_related("added_by__user")


class CareMedicationDetail(CareEntryDetail):
    """One of the person's medications, written on their behalf (`added_by` is you when you add it)."""

    model = Medication
    serializer_class = MedicationSerializer
    put_service = staticmethod(services.medication_put)
    needs_actor = True
    audit_resource = "medications"

    @entry_put_schema(MedicationSerializer, "medication")
    def put(self, request, entry_id, **kwargs):
        return super().put(request, entry_id, **kwargs)
