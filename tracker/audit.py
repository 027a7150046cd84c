"""The audit trail of the care team's reads and writes of participant data.

`record` writes one AuditEvent; callers that change data call it inside the transaction of
the change, so a write never lands without its row and a failed write leaves none. `deny`
writes the row for a refused attempt; it runs before any transaction of the request starts,
so the 404 that follows does not roll it back.
"""

import ipaddress

from django.conf import settings
from django.db.models import Q

from .models import AuditEvent, Participant

def client_ip(request):
    """The address the request came from: REMOTE_ADDR, or behind STEADY_TRUSTED_PROXIES proxies
    the address the nearest untrusted hop put in X-Forwarded-For."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXIES
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _event(request, *, action, resource, participant=None, participant_id=None, program_id=None, object_id="",
           shown=()):
    user = request.user if request.user.is_authenticated else None
    counselor = getattr(user, "counselor", None) if user else None
    if program_id is None:
        program_id = participant.program_id if participant is not None else getattr(counselor, "program_id", None)
    return AuditEvent(
        actor=user,
        actor_name=user.get_username() if user else "",
        program_id=program_id,
        participant_id=participant.pk if participant is not None else participant_id,
        participants_shown="".join(f",{pk}" for pk in shown) + ("," if shown else ""),
        action=action,
        resource=resource,
        object_id=str(object_id or "")[:64],
        method=request.method[:8],
        path=request.path[:300],
        ip=client_ip(request),
        request_id=getattr(request, "request_id", ""),
    )


def record(request, *, action, resource, participant=None, object_id="", shown=()):
    """One row for an allowed read, write or export. Call it in the transaction of a write."""
    event = _event(request, action=action, resource=resource, participant=participant, object_id=object_id,
                   shown=shown)
    event.save(force_insert=True)
    getattr(request, "_request", request).audit_recorded = True
    return event


def recorded(request):
    """Has this request written its audit row yet?"""
    return getattr(getattr(request, "_request", request), "audit_recorded", False)


def deny(request, *, resource, participant_id=None, object_id=""):
    """One row for a refused attempt. The participant id is kept only when it names a real
    participant; any other value asked for is kept as the object id."""
    # Filed under the program of the participant asked about, so that program's admins see it.
    program_id = Participant.objects.filter(pk=participant_id).values_list("program_id", flat=True).first() \
        if participant_id is not None else None
    known = participant_id if program_id is not None else None
    event = _event(request, action=AuditEvent.Action.DENIED, resource=resource, participant_id=known,
                   program_id=program_id, object_id=object_id or ("" if known else participant_id or ""))
    event.save(force_insert=True)
    return event


def events_about(participant):
    """Every allowed read, write or export that touched this participant: their own records
    and the lists they were in (refused attempts are for the program's admins)."""
    return AuditEvent.objects.filter(
        Q(participant_id=participant.pk) | Q(participants_shown__contains=f",{participant.pk},")
    ).exclude(action=AuditEvent.Action.DENIED)
