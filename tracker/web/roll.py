"""The roll on the facilitator's phone or tablet (issue 16, attendance).

/care/roll/ lists today's sessions of the groups the signed-in counselor facilitates;
/care/sessions/<id>/roll/ lists the session's members with one big "Present" button each, and
"Other" for late, left early, excused and absent (with minutes). Saving is a plain form POST
(no script needed); with the script, each mark goes through the offline outbox as a PUT to
/api/v1/care/sessions/<id>/attendance/<participant id>/ (static/js/app.js, the roll block).

The roll of a session meeting today carries the header X-Steady-Roll-Today: the service worker
then keeps a copy of that same page on the device, less the parts the template marks
online-only (hours, the walk-in search, messages), so names and marks only. The copy is cut
from the page, not asked for again: one opening of the roll is one read, and one audit row.
Access: tracker.access.group_session_for_staff (404 and a denied row for anyone else); each
page leaves one audit row; each mark its own (tracker.attendance.mark).
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import access, attendance, audit, schedule
from ..models import Attendance, AuditEvent, Participant
from .decorators import signed_in

Status = Attendance.Status
# The choices behind "Other" on each row (present is the big button of its own).
OTHER = [(s, label) for s, label in Status.choices if s in (Status.LATE, Status.LEFT_EARLY, Status.EXCUSED,
                                                            Status.ABSENT)]


@signed_in
def today(request):
    counselor = access.caseload_counselor(request, resource="roll")
    sessions = attendance.todays_sessions(counselor, timezone.now())
    with timezone.override(counselor.program.zone):
        response = render(request, "tracker/care/roll_today.html", {"sessions": sessions})
    audit.record(request, action=AuditEvent.Action.READ, resource="roll")
    return response


def read_marks(request, rows, session):
    """The marks the form carries: [(row, status, minutes)] for each row given a status;
    errors {participant id: words} for minutes that are not a number in range."""
    marks, errors = [], {}
    for row in rows:
        pk = row.participant.pk
        status = request.POST.get(f"status-{pk}", "")
        if status not in Status.values or status == Status.UNMARKED:
            continue
        typed = request.POST.get(f"minutes-{pk}", "").strip()
        minutes = None
        if typed and status in attendance.TIMED:
            if not typed.isdigit():
                errors[pk] = _("Type the minutes as a number.")
                continue
            try:
                minutes = attendance.check_minutes(session, status, int(typed))
            except ValueError as error:
                errors[pk] = str(error)
                continue
        marks.append((row, status, minutes))
    return marks, errors


@signed_in
@require_http_methods(["GET", "POST"])
def session_roll(request, session_id):
    session = access.group_session_for_staff(request, session_id, resource="roll")
    counselor = request.counselor
    if request.method == "POST" and "walk_in" in request.POST:
        return add_walk_in(request, session)
    rows = attendance.roll(session, counselor)
    errors, typed, picked = {}, {}, {}
    if request.method == "POST":
        marks, errors = read_marks(request, rows, session)
        typed = {row.participant.pk: request.POST.get(f"minutes-{row.participant.pk}", "") for row in rows}
        # A refused roll comes back with every choice as it was made, not only the minutes typed.
        picked = {row.participant.pk: request.POST.get(f"status-{row.participant.pk}") for row in rows}
        picked = {pk: status for pk, status in picked.items() if status in Status.values}
        if not errors:
            try:
                now = timezone.now()
                with transaction.atomic():
                    for row, status, minutes in marks:
                        attendance.mark(request, session, row.participant, status=status, minutes=minutes,
                                        recorded_at=now,
                                        walk_in=row.walk_in)
            except attendance.Refused as refused:
                messages.error(request, refused.message)
                return redirect("care_roll", session_id=session.pk)
            messages.success(request, _("The roll is saved."))
            return redirect("care_roll", session_id=session.pk)
    query = request.GET.get("q", "").strip()[:60]
    found = attendance.walk_in_candidates(session, query) if query else []
    today = schedule.local_day(session) == timezone.now().astimezone(session.group.program.zone).date()
    response = render(request, "tracker/care/roll.html", {
        "session": session, "other": OTHER, "errors": errors, "query": query,
        "items": [{"row": row, "error": errors.get(row.participant.pk, ""),
                   "status": picked.get(row.participant.pk, row.status),
                   "typed": typed.get(row.participant.pk, row.attendance.minutes if row.attendance and
                                      row.attendance.minutes is not None else "")} for row in rows],
        "found": found, "cancelled": session.status == session.Status.CANCELLED,
        "local_start": session.starts_at.astimezone(session.group.program.zone),
        "local_end": session.ends_at.astimezone(session.group.program.zone),
    }, status=400 if errors else 200)
    # The page the service worker keeps (cut down to names and marks), and only this one: today's
    # roll as opened, not a search (and not an older worker's ?names=1, which now keeps nothing).
    if request.method == "GET" and not request.GET and today and session.status != session.Status.CANCELLED:
        response["X-Steady-Roll-Today"] = "1"
    audit.record(request, action=AuditEvent.Action.READ, resource="roll", object_id=session.pk,
                 shown=[row.participant.pk for row in rows])
    return response


def add_walk_in(request, session):
    """A participant of the program who is not a member, marked present as a walk-in."""
    participant = Participant.objects.filter(pk=request.POST.get("walk_in") or 0,
                                             program_id=session.group.program_id).first() \
        if str(request.POST.get("walk_in", "")).isdigit() else None
    if participant is None:
        audit.deny(request, resource="attendance", object_id=request.POST.get("walk_in", "")[:64])
        messages.error(request, _("That person was not found in this program."))
        return redirect("care_roll", session_id=session.pk)
    try:
        attendance.mark(request, session, participant, status=Status.PRESENT, recorded_at=timezone.now(),
                        walk_in=True)
    except attendance.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("%(name)s is on the roll as a walk-in.") % {"name": participant})
    return redirect("care_roll", session_id=session.pk)
