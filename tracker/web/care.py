"""The counselor's pages under /care/: the caseload, one person's trends, plans, goals and
tasks, the weekly summary, the export, and the program's audit log.

Each page about a person gets them from tracker.access.care_participant (404 and a denied
audit row for anyone off the care team) and leaves exactly one audit row: a write's row in
the write's transaction, a read's row once the page is rendered.
"""

import datetime as dt
import functools
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from .. import absence, access, aftercare, audit, care, dates, episodes, exports, medication, progress, push, schedule, scores, selectors, services, triage
from ..models import AuditEvent, Goal, Participant, Task, week_start
from . import charts
from .decorators import signed_in
from .downloads import download
from .forms import AuditFilterForm, CounselorSettingsForm, GoalForm, ProgramSettingsForm, TaskForm, zone_options
from .groups import closure_context, program_settings_page

Action = AuditEvent.Action


def care_page(resource, action=Action.READ, *, form=False, while_discharged=False):
    """A page about one participant: access, then one audit row (unless the view wrote one).
    `resource` names what the page shows, or is a function of the URL's arguments.
    A POST is a write; so is every request to a `form` page (one that exists to change the
    record). Writes about a discharged person are refused with a read-only page (403) unless
    `while_discharged` (tracker.access.care_participant)."""

    def decorator(view):
        @functools.wraps(view)
        @signed_in
        def wrapper(request, participant_id, *args, **kwargs):
            name = resource(**kwargs) if callable(resource) else resource
            try:
                participant = access.care_participant(request, participant_id, resource=name,
                                                      for_write=form or request.method == "POST",
                                                      while_discharged=while_discharged)
            except access.ReadOnlyRecord:
                return read_only_page(request, participant_id)
            # Times on these pages are the participant's own clock times, as they lived them.
            with transaction.atomic(), timezone.override(participant.zone):
                response = view(request, participant, *args, **kwargs)
                if response.status_code < 400 and not audit.recorded(request):
                    audit.record(request, action=action, resource=name, participant=participant,
                                 object_id=kwargs.get("entry_id") or kwargs.get("number") or "")
            return response

        return wrapper

    return decorator


def read_only_page(request, participant_id):
    """The answer to a write about a discharged person (already audited as denied)."""
    participant = Participant.objects.get(pk=participant_id)
    with timezone.override(participant.zone):
        return render(request, "tracker/care/read_only.html", _context(participant, ""), status=403)


@signed_in
def caseload(request):
    """The caseload: cards on a phone, a table at desk width (the same rows, both rendered).
    ?sort= (need, name, last), ?flag= (a flag key present) and ?q= (part of a name) narrow and
    order it here, in the view; an unknown value falls back to the default. The audit row names
    only the people shown."""
    counselor = access.caseload_counselor(request)
    rows = triage.caseload(episodes.in_treatment(counselor.caseload).select_related("user"))
    total = len(rows)
    sort = request.GET.get("sort", "")
    sort = sort if sort in CASELOAD_SORTS else "need"
    present = {flag.key for row in rows for flag in row.flags}
    flag = request.GET.get("flag", "")
    flag = flag if flag in present else ""
    query = request.GET.get("q", "").strip()[:100]
    if flag:
        rows = [row for row in rows if any(f.key == flag for f in row.flags)]
    if query:
        rows = [row for row in rows if query.casefold() in str(row.participant).casefold()]
    if sort == "name":
        rows.sort(key=lambda row: (str(row.participant).casefold(), row.participant.pk))
    elif sort == "last":  # the longest silence first; nobody's first check-in before anyone's
        rows.sort(key=lambda row: (row.last_checkin is not None, row.last_checkin or dt.date.min))
    # Each person's next group session (one batch), shown in the counselor's zone.
    upcoming = schedule.next_sessions([row.participant.pk for row in rows], timezone.now())
    for row in rows:
        row.next_session = upcoming.get(row.participant.pk)
    note_refusal(request, rows)
    cards = [(row, charts.sleep_sparkline(row), charts.urge_sparkline(row),
              max([4, *(count for _, count in row.urges)])) for row in rows]
    flag_choices = sorted(((key, triage.LABELS[key]) for key in present), key=lambda choice: str(choice[1]))
    response = render(request, "tracker/care/caseload.html", {
        "cards": cards, "counselor": counselor, "total": total, "sort": sort, "flag": flag, "q": query,
        "sorts": [(key, label) for key, label in CASELOAD_SORTS.items()], "flag_choices": flag_choices,
        "filtered": bool(flag or query),
        # issue 18: the Aftercare tab says how many former patients have a flag for this counselor.
        "aftercare_flags": aftercare.open_flag_count(counselor)})
    audit.record(request, action=Action.READ, resource="caseload", shown=[row.participant.pk for row in rows])
    return response


CASELOAD_SORTS = {"need": gettext_lazy("Most in need first"), "name": gettext_lazy("Name"),
                  "last": gettext_lazy("Last check-in, longest ago first")}


@signed_in
def counselor_settings(request):
    """The counselor's own time zone. Their own record, not a participant's: no audit row."""
    counselor = access.caseload_counselor(request, resource="care-settings")
    form = CounselorSettingsForm(request.POST or None, instance=counselor)
    if request.method == "POST" and form.is_valid():
        services.counselor_update(counselor=counselor, time_zone=form.cleaned_data["time_zone"],
                                  urgent_push=form.cleaned_data["urgent_push"])
        messages.success(request, _("Settings saved."))
        return redirect("care_settings")
    return render(request, "tracker/care/settings.html", {"form": form, "zones": zone_options(labelled=False),
                                                          "urgent_push_key": push.public_key()})


@signed_in
def program_settings(request):
    """For the program's admins: the program's zone, phone, office hours, group-hours targets,
    the words after a setback or a missed group, and its closure days (tracker.web.groups)."""
    admin = access.program_admin(request, resource="program-settings")
    program = admin.program
    closures = closure_context(program)  # before the form: a refused zone stays off the program
    form = ProgramSettingsForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        services.program_settings_update(request=request, program=program, **form.cleaned_data)
        messages.success(request, _("Program settings saved."))
        return redirect("care_program_settings")
    return program_settings_page(request, program, form, closures)


@require_http_methods(["POST"])
@care_page("acknowledgement", form=True)
def acknowledge_flag(request, participant):
    note = request.POST.get("note", "").strip()
    try:
        flag = services.flag_acknowledge(request=request, participant=participant, counselor=request.counselor,
                                         flag=request.POST.get("flag", ""), evidence=request.POST.get("evidence", ""),
                                         note=note)
    except ValidationError as error:
        if "note" in getattr(error, "error_dict", {}):
            # Shown next to the note box on the page the form was on (note_refusal below).
            request.session[NOTE_REFUSED] = {"participant": participant.pk, "flag": request.POST.get("flag", ""),
                                             "message": " ".join(error.message_dict["note"])}
            messages.error(request, _("Nothing was acknowledged: see the note below."))
        else:
            messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(flag)s” for %(name)s acknowledged.") % {"flag": flag.label, "name": participant})
    target = request.POST.get("next", "")
    return redirect(target if target in (reverse("care_caseload"), reverse("care_participant", args=[participant.pk]))
                    else "care_caseload")


NOTE_REFUSED = "steady.ack-note-refused"


def note_refusal(request, rows):
    """The note an acknowledgement was refused for, shown next to that flag's note box (once)."""
    refused = request.session.pop(NOTE_REFUSED, None)
    for row in rows if refused else ():
        for flag in row.flags:
            if row.participant.pk == refused["participant"] and flag.key == refused["flag"]:
                flag.note_error = refused["message"]


def _tabs(participant, current):
    pid = participant.pk
    return [(reverse(name, args=[pid]), label, name == current) for name, label in (
        ("care_participant", _("Trends")), ("care_summary", pgettext("a tab: the week's summary", "Week")),
        ("care_goals", _("Goals")), ("care_plans", _("Plans")), ("care_timeline", _("Wins")), ("care_scores", _("Scores")),
        ("care_episode", _("Episode")), ("care_reviews", _("Reviews")))]  # issue 18


def _context(participant, current, **extra):
    # Discharged: the head says so and the pages hide their write forms (tracker.access.care_participant).
    standing = episodes.standing(participant)
    return {"participant": participant, "tabs": _tabs(participant, current), "standing": standing,
            "read_only": standing.discharged, **extra}


@care_page("overview")
def participant_view(request, participant):
    period = _period(request, default=30)
    row = triage.caseload([participant])[0]
    overview = care.overview(participant=participant, period=period, acknowledgements=row.acknowledgements)
    note_refusal(request, [row])
    return render(request, "tracker/care/participant.html", _context(
        participant, "care_participant", overview=overview, figures=overview.figures, row=row, period=period,
        score_histories=scores.participant_scores(participant),  # issue 17: the scores block
        periods=care.PERIODS, charts=charts.trend_charts(overview.data, period=period, events=overview.events),
        event_key=charts.event_key(), events=charts.event_list(overview.events),
        heat_map=charts.HeatMap(overview.heat), weekdays=charts.weekday_names(), min_uses=progress.MIN_USES_TO_RANK,
        notices=absence.recent_notices(participant),  # issue 16: reasons are for the care team only
        use_meds=medication.care_view(participant=participant, days=period),  # issue 17
        group_week=schedule.group_week(participant, schedule.week_start(
            timezone.now().astimezone(participant.program.zone).date()))))


def _period(request, *, default):
    try:
        return progress.parse_period(request.GET.get("days"), periods=care.PERIODS, default=default)
    except ValueError:
        return default


@care_page("summary")
def summary(request, participant):
    # A week outside the range of query dates (or not a date) shows the default week.
    day = dates.query_date_or_none(request.GET.get("week"))
    monday = week_start(day) if day else care.default_week(participant)
    week = care.week_summary(participant=participant, monday=monday)
    return render(request, "tracker/care/summary.html", _context(
        participant, "care_summary", week=week, figures=week.figures, flags=triage.caseload([participant])[0].flags,
        previous=monday - dt.timedelta(days=7), next=monday + dt.timedelta(days=7),
        group_week=schedule.group_week(participant, monday),
        is_current=monday >= week_start(participant.local_today())))


@care_page("plans")
def plans(request, participant):
    return render(request, "tracker/care/plans.html", _context(
        participant, "care_plans", plan=selectors.current_safety_plan(participant=participant),
        versions=selectors.safety_plan_history(participant=participant),
        weekends=care.weekend_plans(participant=participant)))


@care_page("safety-plan")
def safety_plan_version(request, participant, number):
    version, changes = selectors.safety_plan_version_with_changes(participant=participant, number=number)
    if version is None:
        raise Http404("No such version.")
    return render(request, "tracker/care/safety_plan_version.html",
                  _context(participant, "care_plans", plan=version, changes=changes))


@care_page("timeline")
def timeline(request, participant):
    period = _period(request, default=90)
    last = participant.local_today()
    first = last - dt.timedelta(days=period - 1)
    return render(request, "tracker/care/timeline.html", _context(
        participant, "care_timeline", items=care.timeline(participant=participant, first=first, last=last),
        period=period, periods=care.PERIODS))


@care_page("goals")
def goals(request, participant):
    return render(request, "tracker/care/goals.html", _context(
        participant, "care_goals", **selectors.goals_and_tasks(participant=participant)))


CARE_FORMS = {
    "goal": dict(model=Goal, form=GoalForm, put=services.goal_put, noun="goal",
                 saved={True: gettext_lazy("Goal added for %(name)s."), False: gettext_lazy("Goal saved for %(name)s.")},
                 gone=gettext_lazy("This goal was deleted, so it was not saved again. Save once more to add what you "
                            "wrote as a new goal.")),
    "task": dict(model=Task, form=TaskForm, put=services.task_put, noun="task",
                 saved={True: gettext_lazy("Task added for %(name)s."), False: gettext_lazy("Task saved for %(name)s.")},
                 gone=gettext_lazy("This task was deleted, so it was not saved again. Save once more to add what you "
                            "wrote as a new task.")),
}


def _care_entry_form(request, participant, kind, entry_id=None):
    spec = CARE_FORMS[kind]
    entry = access.own_entry(spec["model"], participant=participant, entry_id=entry_id) if entry_id else None
    if request.method == "POST":
        try:
            new_id = entry.pk if entry else uuid.UUID(request.POST.get("id", ""))
        except ValueError:
            new_id = uuid.uuid4()
        form = spec["form"](request.POST, instance=entry or spec["model"](pk=new_id, participant=participant))
        if form.is_valid():
            try:
                result = spec["put"](participant=participant, id=new_id, data=form.cleaned_data, actor=request.user)
                audit.record(request, action=Action.WRITE, resource=f"{kind}s", participant=participant,
                             object_id=new_id)
            except services.EntryNotFound:
                raise Http404("No such entry.")
            except services.EntryGone:
                form.add_error(None, spec["gone"])
                new_id = uuid.uuid4()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, spec["saved"][result.created] % {"name": participant})
                return redirect("care_goals", participant.pk)
    else:
        new_id = entry.pk if entry else uuid.uuid4()
        initial = {}
        if kind == "task" and not entry:
            initial = {"goal": request.GET.get("goal") or None}
        form = spec["form"](instance=entry or spec["model"](participant=participant), initial=initial)
    return render(request, "tracker/care/entry_form.html", _context(
        participant, "care_goals", form=form, entry=entry, entry_id=new_id, noun=spec["noun"]))


@require_http_methods(["GET", "POST"])
@care_page(lambda kind, **_: f"{kind}s", form=True)
def entry_form(request, participant, kind, entry_id=None):
    """A new goal or task for the participant (no entry_id), or a change to one."""
    return _care_entry_form(request, participant, kind, entry_id)


@require_http_methods(["POST"])
@care_page("tasks", form=True)
def task_done(request, participant, entry_id):
    task = access.own_entry(Task, participant=participant, entry_id=entry_id)
    services.task_set_done(task=task, done=request.POST.get("done") == "1")
    audit.record(request, action=Action.WRITE, resource="tasks", participant=participant, object_id=task.pk)
    messages.success(request, (_("“%(title)s” marked done.") if task.done else _("“%(title)s” marked not done."))
                     % {"title": task.title})
    return redirect("care_goals", participant.pk)


@care_page("export", action=Action.EXPORT)
def export(request, participant, fmt):
    name = f"steady-participant-{participant.pk}-{participant.local_today():%Y%m%d}"
    if fmt == "json":
        return download(fmt=fmt, name=name, data=exports.care_export_json(participant=participant, user=request.user))
    return download(fmt=fmt, name=name, rows=exports.care_export_csv_rows(participant=participant, user=request.user))


def _audit_events(request):
    """The program admin, the filter form, and the program's events that match it (all of them
    while the filters are invalid: the page shows the errors next to the fields)."""
    admin = access.program_admin(request)
    form = AuditFilterForm(request.GET or None, program=admin.program)
    events = AuditEvent.objects.filter(program_id=admin.program_id)
    if form.is_valid():
        events = form.filter(events)
    return admin, form, events


@signed_in
def audit_log(request):
    admin, form, events = _audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    names = {p.pk: str(p) for p in Participant.objects.filter(pk__in={e.participant_id for e in page})
             .select_related("user")}
    for event in page:
        event.participant_name = names.get(event.participant_id, "")
    query = request.GET.copy()
    query.pop("page", None)
    response = render(request, "tracker/care/audit.html", {"form": form, "page": page, "query": query.urlencode()})
    audit.record(request, action=Action.READ, resource="audit-log")
    return response


AUDIT_CSV_HEADER = ("when_utc", "who", "action", "resource", "about_participant_id", "about", "object_id",
                    "method", "path", "ip", "request_id")


@signed_in
def audit_log_csv(request):
    """The filtered audit log as CSV (the page's filters, every matching row, newest first),
    streamed through the one CSV helper. The download is itself audited."""
    admin, form, events = _audit_events(request)
    if form.is_bound and not form.is_valid():
        return redirect(reverse("care_audit") + "?" + request.GET.urlencode())
    names = {p.pk: str(p) for p in Participant.objects.filter(program_id=admin.program_id).select_related("user")}
    # Read before the row of this download is written: the file holds what was there when asked.
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    events = events.filter(pk__lte=last)

    def rows():
        yield AUDIT_CSV_HEADER
        for e in events.iterator(chunk_size=500):
            yield (e.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.action, e.resource,
                   e.participant_id or "", names.get(e.participant_id, "") if e.participant_id else "",
                   e.object_id, e.method, e.path, e.ip or "", e.request_id)

    audit.record(request, action=Action.EXPORT, resource="audit-log")
    return download(fmt="csv", name=f"steady-audit-log-{timezone.now():%Y-%m-%d}", rows=rows())
