"""Who may touch what. Every view and API call gets its objects through these functions.

"Not yours" and "not there" get the same answer (404), so an id never tells whether it exists.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import Counselor, GroupSession, Participant


def participant_for_user(user):
    """The signed-in person's own Participant row, or None for staff and anonymous users."""
    if not user.is_authenticated:
        return None
    try:
        return user.participant
    except Participant.DoesNotExist:
        return None


def own_entry(model, *, participant, entry_id):
    """One of the participant's own entries of `model`, or 404."""
    entry = model.objects.filter(pk=entry_id, participant=participant).select_related("participant").first()
    if entry is None:
        raise Http404(gettext("No such entry."))
    return entry


def counselor_for_user(user):
    """The signed-in staff member's Counselor row, or None."""
    if not user.is_authenticated:
        return None
    try:
        return user.counselor
    except Counselor.DoesNotExist:
        return None


class ReadOnlyRecord(PermissionDenied):
    """A write about a discharged person: their former care team reads, and no longer writes."""

    message = _("This person has been discharged: their record is read-only.")

    def __init__(self):
        super().__init__(str(self.message))


def care_participant(request, participant_id, *, resource, for_write=False, while_discharged=False):
    """A participant on the signed-in counselor's care team.

    Anyone else (another counselor, a participant, staff without a caseload) and any id that
    names nobody get the same 404, and the attempt is written to the audit log as denied.
    Every counselor page, API call and export about one person starts here.

    `for_write`: the request changes the person's record. Once they are discharged (no open
    episode, Participant.in_aftercare) their former care team keeps reading but writes nothing,
    so a write raises ReadOnlyRecord (a 403 with its message) after a denied audit row. The few
    writes that belong to aftercare (admitting them again, the aftercare plan, acknowledging an
    aftercare flag) pass `while_discharged=True`.
    """
    counselor = counselor_for_user(request.user)
    participant = None
    if counselor is not None:
        participant = (Participant.objects.filter(pk=participant_id, care_team=counselor)
                       .select_related("user", "program").first())
    if participant is None:
        audit.deny(request, resource=resource, participant_id=participant_id)
        raise Http404(gettext("No such participant."))
    if for_write and not while_discharged and participant.in_aftercare:
        audit.deny(request, resource=resource, participant_id=participant.pk)
        raise ReadOnlyRecord()
    request.counselor = counselor
    return participant


def caseload_counselor(request, *, resource="caseload"):
    """The signed-in counselor, for the caseload list; anyone else gets a 404 and a denied row."""
    counselor = counselor_for_user(request.user)
    if counselor is None:
        audit.deny(request, resource=resource)
        raise Http404(gettext("No such page."))
    request.counselor = counselor
    return counselor


def program_admin(request, *, resource="audit-log"):
    """A counselor who is their program's admin (the audit log, program settings); anyone else gets a 404."""
    counselor = counselor_for_user(request.user)
    if counselor is None or not counselor.is_program_admin:
        audit.deny(request, resource=resource)
        raise Http404(gettext("No such page."))
    request.counselor = counselor
    return counselor


def group_session_for_staff(request, session_id, *, resource):
    """A group session the signed-in counselor may run: a facilitator of its group, or an admin
    of its program. They see roll-level facts (names, attendance, notice given, hours); flags,
    reasons and entries stay with each member's care team (`care_participant`).
    Anyone else, and any id naming nothing, get a 404 and a denied audit row."""
    counselor = counselor_for_user(request.user)
    session = None
    if counselor is not None:
        session = (GroupSession.objects.filter(pk=session_id, group__program_id=counselor.program_id)
                   .select_related("group__program").first())
        if session is not None and not counselor.is_program_admin and \
                not session.group.facilitators.filter(pk=counselor.pk).exists():
            session = None
    if session is None:
        audit.deny(request, resource=resource, object_id=str(session_id))
        raise Http404(gettext("No such session."))
    request.counselor = counselor
    return session


def may_run_group(counselor, group):
    """True for the group's facilitators and its program's admins."""
    if counselor is None or group.program_id != counselor.program_id:
        return False
    return counselor.is_program_admin or group.facilitators.filter(pk=counselor.pk).exists()
