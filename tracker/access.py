"""Who may touch what. Every view and API call gets its objects through these functions.

"Not yours" and "not there" get the same answer (404), so an id never tells whether it exists.
"""

from django.http import Http404

from .models import Counselor, Participant


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
        raise Http404("No such entry.")
    return entry


def participant_for_counselor(user, participant_id):
    """A participant on this counselor's care team, or 404 for anyone else (or anything else)."""
    try:
        counselor = user.counselor
    except (Counselor.DoesNotExist, AttributeError):
        raise Http404("No such participant.")
    participant = Participant.objects.filter(pk=participant_id, care_team=counselor).select_related("user").first()
    if participant is None:
        raise Http404("No such participant.")
    return participant
