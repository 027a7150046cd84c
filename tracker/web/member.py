"""The participant's side of group: "Can't make it" and "I missed it", and the next step after.

With script the notice goes through the phone's outbox (PUT /api/v1/notices/<id>/) and the page
shows the next step for the reason picked, offline too (every reason's is in the page); without
script the form posts here and the next step is its own page."""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .. import absence, services
from ..access import own_entry
from ..models import AbsenceNotice, GroupMembership, GroupSession
from .decorators import participant_required


def _session(participant, **lookup):
    """The session with its group and program, and the person's memberships, read once for the page
    (whether the session is theirs, and their next session after it). The person's program is the
    session's when they are the same: it was read with it."""
    session = GroupSession.objects.select_related("group__program").filter(**lookup).first()
    if session is not None and session.group.program_id == participant.program_id:
        participant.program = session.group.program
    return session, list(GroupMembership.objects.filter(participant=participant))


def _own_session(participant, session_id):
    """The session, if it is one of the person's groups' on its day, and their memberships."""
    session, memberships = _session(participant, pk=session_id)
    if session is None or not absence.belongs(participant, session, memberships=memberships):
        raise Http404("No such session of yours.")
    return session, memberships


def _context(participant, session, memberships, now):
    return {"session": session, "when": absence.when_words(session, participant.zone, now=now),
            "steps": absence.next_steps(participant, session, now=now, memberships=memberships),
            "reasons": AbsenceNotice.Reason.choices}


def _already(entry_id):
    return redirect(reverse("notice_done", args=[entry_id]) + "?again=1")


@participant_required
@require_http_methods(["GET", "POST"])
def notice_new(request, session_id, ahead):
    participant, now = request.participant, timezone.now()
    session, memberships = _own_session(participant, session_id)
    existing = AbsenceNotice.objects.filter(participant=participant, session=session).first()
    if existing is not None:
        return _already(existing.pk)
    context = {**_context(participant, session, memberships, now), "ahead": ahead, "notice_id": uuid.uuid4(), "words": ""}
    started = now >= session.starts_at
    if ahead and started:
        context["refusal"] = absence.check_notice(participant, session, now=now) or True
        context["started"] = True
    elif not ahead and not started:
        context["not_yet"] = True
    else:
        context["refusal"] = absence.check_notice(participant, session, now=now)
    if request.method == "POST" and not context.get("refusal") and not context.get("not_yet"):
        reason, words = request.POST.get("reason", ""), request.POST.get("words", "")
        try:
            entry_id = uuid.UUID(request.POST.get("id", ""))
        except ValueError:
            entry_id = uuid.uuid4()
        try:
            result = services.absence_notice_put(participant=participant, id=entry_id,
                                                 data={"session": session, "reason": reason, "words": words})
        except ValidationError as error:
            context.update(errors=error.message_dict, words=words, notice_id=entry_id)
            return render(request, "tracker/group/notice_form.html", context, status=400)
        except services.EntryConflict as conflict:
            return _already(conflict.existing_id)
        except (services.EntryNotFound, services.EntryGone):
            raise Http404("No such entry.")
        return redirect("notice_done", entry_id=result.entry.pk)
    return render(request, "tracker/group/notice_form.html", context)


@participant_required
def notice_done(request, entry_id):
    """The notice given, and its next step (also where "You already told us" lands)."""
    participant, now = request.participant, timezone.now()
    notice = own_entry(AbsenceNotice, participant=participant, entry_id=entry_id)
    session, memberships = _session(participant, pk=notice.session_id)
    return render(request, "tracker/group/notice_done.html",
                  {**_context(participant, session, memberships, now), "notice": notice,
                   "again": request.GET.get("again") == "1"})
