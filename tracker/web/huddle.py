"""The huddle before group: the facilitator's page of one session's room, ranked by need, and
after the session one tap that gives everyone who came the same practice task. What the room
holds and who sees which fact is tracker.huddle.

Access is tracker.access.group_session_for_staff (the group's facilitators and the program's
admins; anyone else a 404 and a denied audit row). The page is read in a fixed number of
queries, whatever the room's size, and leaves one audit row naming the members shown.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .. import access, audit, schedule
from ..huddle import practice_task_give, practice_task_given, room
from ..models import AuditEvent, GroupSession, Task
from .decorators import signed_in

Action = AuditEvent.Action


def _after_session(session, now):
    return session.status != GroupSession.Status.CANCELLED and session.starts_at <= now


@signed_in
def huddle(request, session_id):
    session = access.group_session_for_staff(request, session_id, resource="huddle")
    counselor = request.counselor
    now = timezone.now()
    members = room(session, counselor, now=now)
    came = [m for m in members if m.status in schedule.ATTENDED]
    given = practice_task_given(session, [m.participant for m in came])
    response = render(request, "tracker/care/huddle.html", {
        "session": session, "group": session.group, "members": members, "came": came, "given": given,
        "after": _after_session(session, now), "hidden": sum(1 for m in members if not m.on_team)})
    audit.record(request, action=Action.READ, resource="huddle", object_id=session.pk,
                 shown=[m.participant.pk for m in members])
    return response


@require_http_methods(["POST"])
@signed_in
def practice_task(request, session_id):
    """One practice task for everyone marked present, late or left early at this session, given
    once each (tracker.huddle.practice_task_give), once the session has started."""
    session = access.group_session_for_staff(request, session_id, resource="practice-task")
    now = timezone.now()
    title = request.POST.get("title", "").strip()
    limit = Task._meta.get_field("title").max_length
    if not _after_session(session, now):
        messages.error(request, _("A practice task is given after the session has started."))
    elif not title or len(title) > limit:
        messages.error(request, _("Write the task in 1 to %(limit)d characters.") % {"limit": limit})
    else:
        came, new = practice_task_give(request=request, session=session, title=title)
        if not came:
            messages.error(request, _("Nobody is marked present yet: take the roll first."))
        elif new:
            messages.success(request, ngettext("Practice task given to %(count)d person.",
                                               "Practice task given to %(count)d people.", len(new))
                             % {"count": len(new)})
        else:
            messages.info(request, _("Everyone who came already has this session's practice task."))
    return redirect("care_huddle", session.pk)
