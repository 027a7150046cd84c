"""A participant's pages: Today, the entry forms, plans, progress, history, settings and
reminders; and the public help page and health check."""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from .. import (
    absence,
    accounts,
    aftercare,
    audit,
    dates,
    medication,
    progress,
    reminders,
    selectors,
    services,
)
from ..access import own_entry
from ..models import (
    AuditEvent,
    CheckIn,
    Goal,
    HighRiskTime,
    SafetyPlanVersion,
    TalkRequest,
    Task,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    week_start,
    weekend_friday,
)
from ..tasks import enqueue_sends
from . import aftercare as aftercare_pages
from . import history as history_pages
from . import charts, measures
from .decorators import counselors_to_caseload, participant_required
from .forms import (
    CheckInForm,
    EmailForm,
    GoalForm,
    HighRiskTimeForm,
    ReflectionForm,
    ReminderSettingsForm,
    SafetyPlanForm,
    TaskForm,
    TimeZoneForm,
    UrgeForm,
    WeekendPlanForm,
    zone_options,
)

logger = logging.getLogger(__name__)


# One description per kind of entry: the form, the write, where "new" and "edit" live, and
# the words the pages use. The kinds share one view function below. Every phrase is whole (a noun
# is never put into a sentence), so each language can say it its own way.
KINDS = {
    "checkin": {
        "model": CheckIn,
        "form": CheckInForm,
        "put": services.checkin_put,
        "template": "tracker/checkin_form.html",
        "outbox": "checkins",
        "words": {
            "label": gettext_lazy("Check-in"),
            "saved": gettext_lazy("Check-in saved."),
            "updated": gettext_lazy("Check-in updated."),
            "deleted": gettext_lazy("The check-in was deleted."),
            "question": gettext_lazy("Delete this check-in?"),
            "gone": gettext_lazy("This check-in was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new check-in."),
        },
    },
    "urge": {
        "model": Urge,
        "form": UrgeForm,
        "put": services.urge_put,
        "template": "tracker/urge_form.html",
        "outbox": "urges",
        "words": {
            "label": gettext_lazy("Urge"),
            "saved": gettext_lazy("Urge saved."),
            "updated": gettext_lazy("Urge updated."),
            "deleted": gettext_lazy("The urge was deleted."),
            "question": gettext_lazy("Delete this urge?"),
            "gone": gettext_lazy("This urge was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new urge."),
        },
    },
    "reflection": {
        "model": WeeklyReflection,
        "form": ReflectionForm,
        "put": services.reflection_put,
        "template": "tracker/reflection_form.html",
        "outbox": "reflections",
        "words": {
            "label": gettext_lazy("Weekly reflection"),
            "saved": gettext_lazy("Weekly reflection saved."),
            "updated": gettext_lazy("Weekly reflection updated."),
            "deleted": gettext_lazy("The weekly reflection was deleted."),
            "question": gettext_lazy("Delete this weekly reflection?"),
            "gone": gettext_lazy("This weekly reflection was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new weekly reflection."),
        },
    },
    "weekend": {
        "model": WeekendPlan,
        "form": WeekendPlanForm,
        "put": services.weekend_plan_put,
        "template": "tracker/weekend_form.html",
        "outbox": "weekend-plans",
        "words": {
            "label": gettext_lazy("Weekend plan"),
            "saved": gettext_lazy("Weekend plan saved."),
            "updated": gettext_lazy("Weekend plan updated."),
            "deleted": gettext_lazy("The weekend plan was deleted."),
            "question": gettext_lazy("Delete this weekend plan?"),
            "gone": gettext_lazy("This weekend plan was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new weekend plan."),
        },
    },
    "goal": {
        "model": Goal,
        "form": GoalForm,
        "put": services.goal_put,
        "template": "tracker/simple_form.html",
        "actor": True,
        "done": "tasks",
        "outbox": "goals",
        "words": {
            "label": gettext_lazy("Goal"),
            "saved": gettext_lazy("Goal saved."),
            "updated": gettext_lazy("Goal updated."),
            "deleted": gettext_lazy("The goal was deleted."),
            "question": gettext_lazy("Delete this goal?"),
            "gone": gettext_lazy("This goal was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new goal."),
            "new": gettext_lazy("New goal"),
            "change": gettext_lazy("Change this goal"),
            "save": gettext_lazy("Save goal"),
            "delete": gettext_lazy("Delete this goal"),
        },
    },
    "task": {
        "model": Task,
        "form": TaskForm,
        "put": services.task_put,
        "template": "tracker/simple_form.html",
        "actor": True,
        "done": "tasks",
        "outbox": "tasks",
        "words": {
            "label": gettext_lazy("Task"),
            "saved": gettext_lazy("Task saved."),
            "updated": gettext_lazy("Task updated."),
            "deleted": gettext_lazy("The task was deleted."),
            "question": gettext_lazy("Delete this task?"),
            "gone": gettext_lazy("This task was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new task."),
            "new": gettext_lazy("New task"),
            "change": gettext_lazy("Change this task"),
            "save": gettext_lazy("Save task"),
            "delete": gettext_lazy("Delete this task"),
        },
    },
    "highrisk": {
        "model": HighRiskTime,
        "form": HighRiskTimeForm,
        "put": services.high_risk_time_put,
        "template": "tracker/simple_form.html",
        "done": "patterns",
        "outbox": "high-risk-times",
        "words": {
            "label": gettext_lazy("High-risk time"),
            "saved": gettext_lazy("High-risk time saved."),
            "updated": gettext_lazy("High-risk time updated."),
            "deleted": gettext_lazy("The high-risk time was deleted."),
            "question": gettext_lazy("Delete this high-risk time?"),
            "gone": gettext_lazy("This high-risk time was deleted, maybe on another device, so it was not saved "
                                 "again. Save once more to keep what you wrote as a new high-risk time."),
            "new": gettext_lazy("New high-risk time"),
            "change": gettext_lazy("Change this high-risk time"),
            "save": gettext_lazy("Save high-risk time"),
            "delete": gettext_lazy("Delete this high-risk time"),
        },
    },
}


def _new_entry_initial(kind, participant, request):
    # The pages' own links carry ?date= ?week= ?weekend= ?due=; one out of range is ignored.
    today = participant.local_today()
    if kind == "checkin":
        day = dates.query_date_or_none(request.GET.get("date")) or today
        return {"date": min(day, today)}
    if kind == "urge":
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    if kind == "reflection":
        day = dates.query_date_or_none(request.GET.get("week")) or today
        return {"week_start": week_start(min(day, today))}
    if kind == "weekend":
        return _new_weekend_initial(participant, request, today)
    if kind == "task":
        return {"due_date": dates.query_date_or_none(request.GET.get("due")), "goal": request.GET.get("goal") or None}
    return {}


def _new_weekend_initial(participant, request, today):
    """This weekend's Friday; unless asked for a blank one, last weekend's plan as a template."""
    friday = weekend_friday(dates.query_date_or_none(request.GET.get("weekend")) or today)
    initial = {"weekend_of": friday}
    if not request.GET.get("blank"):
        previous = WeekendPlan.objects.filter(participant=participant, weekend_of__lt=friday).first()
        if previous is not None:
            initial.update({name: getattr(previous, name) for name in WeekendPlan.PLAN_FIELDS})
            initial["template_from"] = previous.weekend_of
    return initial


def _existing_for_period(kind, participant, initial):
    model = KINDS[kind]["model"]
    if model.ONE_PER is None:
        return None
    return model.objects.filter(participant=participant, **{model.ONE_PER: initial[model.ONE_PER]}).first()


def _form_extra(kind, participant, entry, data):
    """A new check-in is offered the person's usual times, from the nights before its day; a
    check-in asks about medication when the person has an active one (issue 17)."""
    if kind != "checkin":
        return {}
    extra = {"medication": medication.has_active_medication(participant)}
    if entry is not None:
        return extra
    day = dates.query_date_or_none(str(data.get("date") or "")) or participant.local_today()
    return {**extra, "usual": progress.usual_times(participant=participant, before=day)}


def _saved_message(kind, entry, created):
    if kind == "urge" and entry.is_setback:
        return _("Saved. Thank you for writing it down. A setback does not erase the steps before it.")
    if kind == "urge":
        return _("Urge saved. Noticing it is a skill, and you used it.")
    return KINDS[kind]["words"]["saved" if created else "updated"]


def _posted_uuid(request):
    try:
        return uuid.UUID(request.POST.get("id", ""))
    except ValueError:
        return uuid.uuid4()


def _entry_form(request, kind, entry=None):
    spec, participant = KINDS[kind], request.participant
    if request.method == "POST":
        entry_id = entry.pk if entry else _posted_uuid(request)
        instance = entry or spec["model"](pk=entry_id, participant=participant)
        form = spec["form"](request.POST, instance=instance, **_form_extra(kind, participant, entry, request.POST))
        if form.is_valid():
            extra = {"actor": request.user} if spec.get("actor") else {}
            try:
                result = spec["put"](participant=participant, id=entry_id, data=form.cleaned_data, **extra)
            except services.EntryNotFound:
                raise Http404("No such entry.")
            except services.EntryGone:
                # Deleted meanwhile (another device, another tab): not brought back. What was
                # typed stays on the page, under a new id, for the person to save as new.
                form.add_error(None, str(spec["words"]["gone"]))
                entry_id = uuid.uuid4()
            except services.EntryConflict as conflict:
                link = reverse(f"{kind}_edit", args=[conflict.existing_id])
                form.add_error(
                    conflict.field if conflict.field in form.fields and not form[conflict.field].is_hidden else None,
                    format_html('{} <a href="{}">{}</a>', conflict.message, link, _("Open it")),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _saved_message(kind, result.entry, result.created))
                if kind == "urge" and progress.is_hard_moment(intensity=result.entry.intensity,
                                                              outcome=result.entry.outcome):
                    return redirect(support_url(setback=result.entry.is_setback))
                return redirect(spec.get("done", "today"))
    else:
        initial = {} if entry else _new_entry_initial(kind, participant, request)
        existing = None if entry else _existing_for_period(kind, participant, initial)
        if existing is not None:
            return redirect(f"{kind}_edit", entry_id=existing.pk)
        entry_id = entry.pk if entry else uuid.uuid4()
        form = spec["form"](instance=entry or spec["model"](participant=participant), initial=initial,
                            **_form_extra(kind, participant, entry, initial))
    context = {"form": form, "entry": entry, "entry_id": entry_id, "kind": kind, "words": spec["words"],
               "outbox": spec["outbox"], "done_url": reverse(spec.get("done", "today")),
               # The page puts the saved entry's id in place of the zeros: a Back to the form opens it.
               "edit_url": reverse(f"{kind}_edit", args=[uuid.UUID(int=0)])}
    if kind == "urge":
        # The phone picks the page after a save by the same rule (nextPage in app.js).
        context.update(support_url=reverse("support"), strong_urge=settings.TRIAGE_HIGH_URGE)
    if kind == "reflection":
        context["week"] = dates.query_date_or_none(str(form["week_start"].value()))
    if kind == "weekend":
        context.update(_weekend_context(participant, form, entry))
    if kind == "checkin":
        context["day"] = dates.query_date_or_none(str(form["date"].value()))
        context["is_today"] = context["day"] == participant.local_today()
    return render(request, spec["template"], context)


@participant_required
@require_http_methods(["GET", "POST"])
def entry_new(request, kind):
    return _entry_form(request, kind)


@participant_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, kind, entry_id):
    entry = own_entry(KINDS[kind]["model"], participant=request.participant, entry_id=entry_id)
    return _entry_form(request, kind, entry)


@participant_required
@require_http_methods(["GET", "POST"])
def entry_delete(request, kind, entry_id):
    entry = own_entry(KINDS[kind]["model"], participant=request.participant, entry_id=entry_id)
    if request.method == "POST":
        services.entry_delete(entry=entry)
        messages.success(request, KINDS[kind]["words"]["deleted"])
        return redirect(KINDS[kind].get("done", "history"))
    return render(request, "tracker/confirm_delete.html", {"entry": entry, "kind": kind,
                                                           "question": KINDS[kind]["words"]["question"]})


@counselors_to_caseload
@participant_required
def today(request):
    summary = selectors.today_summary(participant=request.participant)
    group = absence.group_today(request.participant)  # issue 16: the next session and this week's hours
    if group.next_session is not None:
        group.when = absence.when_words(group.next_session, request.participant.zone)
    if group.missed is not None:
        group.missed_when = absence.when_words(group.missed, request.participant.zone)
    in_aftercare = request.participant.in_aftercare
    return render(request, "tracker/today.html", {"summary": summary, "talk_id": uuid.uuid4(), "group": group,
                                                  "notice_outdated": accounts.notice_outdated(request.user),
                                                  # issue 17: the open questionnaires' cards
                                                  "questionnaires": measures.today_cards(request.participant),
                                                  # issue 18: an aftercare check-up that is due
                                                  # after their time in the program: the plan, the passport
                                                  # and a check-up that is due (none while in treatment)
                                                  "in_aftercare": in_aftercare,
                                                  "checkups": aftercare.open_checkups(request.participant)
                                                  if in_aftercare else []})


def _weekend_context(participant, form, entry):
    weekend_of = dates.query_date_or_none(str(form["weekend_of"].value()))
    plan = entry or WeekendPlan(participant=participant, weekend_of=weekend_of)
    review = selectors.weekend_review(plan=plan) if weekend_of else None
    today = participant.local_today()
    return {
        "weekend_of": weekend_of,
        "template_from": form.initial.get("template_from"),
        "blank_url": f"{reverse('weekend_new')}?weekend={weekend_of:%Y-%m-%d}&blank=1" if weekend_of else "",
        "review": review,
        "can_review": bool(weekend_of) and weekend_of + dt.timedelta(days=2) <= today,
        "earlier": WeekendPlan.objects.filter(participant=participant).exclude(pk=getattr(entry, "pk", None))[:8],
    }


@participant_required
def safety_plan(request):
    """The person's plan, with crisis lines first: this is where "I need help now" goes."""
    plan = selectors.current_safety_plan(participant=request.participant)
    return render(request, "tracker/safety_plan.html", {"plan": plan, "talk_id": uuid.uuid4()})


def support_url(*, setback):
    return reverse("support") + ("?after=setback" if setback else "")


@participant_required
def support(request):
    """After a strong urge or a setback: what helps this person, who to call, and help. Kept on
    the phone from sign-in on (the service worker's participant pages), so it opens offline;
    the setback part is in the page either way and shown by the address (?after=setback)."""
    sheet = progress.support_sheet(participant=request.participant)
    return render(request, "tracker/support.html", {
        "sheet": sheet, "setback": request.GET.get("after") == "setback", "talk_id": uuid.uuid4()})


TALK_SENT = gettext_lazy("Your care team will see this when they are next at work. If you need someone now: 988.")
TALK_BACK_TO = {TalkRequest.Source.SUPPORT: "support", TalkRequest.Source.SAFETY_PLAN: "safety_plan"}


@participant_required
@require_http_methods(["POST"])
def talk(request):
    """"I'd like to talk" without script (the phone sends it through the outbox instead)."""
    source = request.POST.get("source")
    source = source if source in TalkRequest.Source.values else TalkRequest.Source.TODAY
    try:
        services.talk_request_put(participant=request.participant, id=_posted_uuid(request), data={"source": source})
    except (services.EntryNotFound, services.EntryGone):
        raise Http404("No such entry.")
    messages.success(request, TALK_SENT)
    return redirect(TALK_BACK_TO.get(source, "today"))


@participant_required
@require_http_methods(["GET", "POST"])
def safety_plan_edit(request):
    participant = request.participant
    current = selectors.current_safety_plan(participant=participant)
    if request.method == "POST":
        form = SafetyPlanForm(request.POST)
        entry_id = _posted_uuid(request)
        if form.is_valid():
            try:
                services.safety_plan_save(participant=participant, id=entry_id, data=form.cleaned_data,
                                          author=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            except (services.EntryNotFound, services.VersionExists):
                form.add_error(None, _("This page was already saved. Your text is still here: press Save again."))
                entry_id = uuid.uuid4()
            else:
                messages.success(request, _("Your safety plan is saved."))
                return redirect("safety_plan")
    else:
        entry_id = uuid.uuid4()
        form = SafetyPlanForm(initial=current.writable_values() if current.pk else {})
    return render(request, "tracker/safety_plan_form.html", {"form": form, "entry_id": entry_id, "plan": current})


@participant_required
def safety_plan_versions(request):
    versions = selectors.safety_plan_history(participant=request.participant)
    return render(request, "tracker/safety_plan_versions.html", {"versions": versions})


@participant_required
def safety_plan_version(request, number):
    version = SafetyPlanVersion.objects.filter(participant=request.participant, number=number).first()
    if version is None:
        raise Http404("No such version.")
    return render(request, "tracker/safety_plan.html", {"plan": version, "old_version": True})


@participant_required
def tasks(request):
    context = selectors.goals_and_tasks(participant=request.participant)
    return render(request, "tracker/tasks.html", context)


@participant_required
@require_http_methods(["POST"])
def task_done(request, entry_id):
    task = own_entry(Task, participant=request.participant, entry_id=entry_id)
    services.task_set_done(task=task, done=request.POST.get("done") == "1")
    if task.done:
        messages.success(request, _("“%(title)s” marked done. Well done.") % {"title": task.title})
    else:
        messages.success(request, _("“%(title)s” marked not done.") % {"title": task.title})
    return redirect(request.POST.get("next") if request.POST.get("next") in ("/", "/tasks/") else "tasks")


# The check-in calendar's column heads: each day's initial, its full name for a screen reader.
DAY_INITIALS = (pgettext_lazy("Monday, one letter", "M"), pgettext_lazy("Tuesday, one letter", "T"),
                pgettext_lazy("Wednesday, one letter", "W"), pgettext_lazy("Thursday, one letter", "T"),
                pgettext_lazy("Friday, one letter", "F"), pgettext_lazy("Saturday, one letter", "S"),
                pgettext_lazy("Sunday, one letter", "S"))


@participant_required
def my_progress(request):
    try:
        days = progress.parse_period(request.GET.get("days"), periods=progress.PERIODS, default=30)
    except ValueError:
        days = 30
    figures = progress.progress(participant=request.participant, days=days)
    return render(request, "tracker/progress.html", {
        "figures": figures, "days": days, "periods": progress.PERIODS, "charts": charts.progress_charts(figures, days),
        "calendar": charts.calendar_rows(figures.calendar()),
        "min_uses": progress.MIN_USES_TO_RANK, "halves": figures.halves(),
        "week_days": [(WEEKDAYS[n], DAY_INITIALS[n]) for n in range(7)],
    })


@participant_required
def patterns(request):
    participant = request.participant
    return render(request, "tracker/patterns.html", {
        "suggestions": [(suggestion, suggestion.words(), uuid.uuid4())
                        for suggestion in progress.find_patterns(participant=participant)],
        "high_risk_times": HighRiskTime.objects.filter(participant=participant),
        "lookback": progress.PATTERN_LOOKBACK_DAYS,
    })


@participant_required
def history(request):
    days = selectors.history(participant=request.participant, days=30)
    return render(request, "tracker/history.html", {"history": history_pages.days_html(days)})


@participant_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    participant = request.participant
    form = TimeZoneForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        services.participant_update(participant=participant, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Time zone saved."))
        return redirect("settings")
    return render(request, "tracker/settings.html", {"form": form, "zones": zone_options(labelled=True), "email_form": EmailForm(),
                                                     "email_confirmed": accounts.email_is_confirmed(request.user),
                                                     "has_second_factor": user_has_device(request.user, confirmed=True),
                                                     **aftercare_pages.settings_context(participant)})  # issue 18


# What the care team opened, in the participant's words (by the audit rows' resource names).
SEEN_WHAT = {
    "caseload": gettext_lazy("you in their caseload list"),
    "checkins": gettext_lazy("your check-ins"),
    "urges": gettext_lazy("your urges"),
    "reflections": gettext_lazy("your weekly reflections"),
    "weekend-plans": gettext_lazy("your weekend plans"),
    "safety-plan": gettext_lazy("your safety plan"),
    "goals": gettext_lazy("your goals"),
    "tasks": gettext_lazy("your tasks"),
    "overview": gettext_lazy("your progress"),
    "summary": gettext_lazy("your week’s summary"),
    "plans": gettext_lazy("your plans"),
    "timeline": gettext_lazy("your wins and notes"),
    "export": gettext_lazy("all your records"),
    "acknowledgement": gettext_lazy("a follow-up note about you"),
    "questionnaire-schedule": gettext_lazy("when you are asked questionnaires"),  # issue 17
    "medications": gettext_lazy("your medications"),
    # issue 18: aftercare
    "aftercare-plan": gettext_lazy("your aftercare plan"),
    "checkups": gettext_lazy("your check-ins after the program"),
    "aftercare": gettext_lazy("you in their aftercare list"),
    "aftercare-acknowledgement": gettext_lazy("a follow-up note about you"),
    "plan-reviews": gettext_lazy("your treatment plan reviews"),  # issue 18
}


def _seen_sentence(who, action, resource, count):
    what = SEEN_WHAT.get(resource, resource.replace("-", " "))
    values = {"who": who, "what": what, "count": count}
    if action == AuditEvent.Action.WRITE:
        return ngettext("%(who)s changed %(what)s", "%(who)s changed %(what)s %(count)d times", count) % values
    if action == AuditEvent.Action.EXPORT:
        return ngettext("%(who)s exported %(what)s", "%(who)s exported %(what)s %(count)d times", count) % values
    return ngettext("%(who)s viewed %(what)s", "%(who)s viewed %(what)s %(count)d times", count) % values


def _access_days(participant, events):
    """The events as days (in the person's zone, newest first), each a list of sentences: one per
    person, action and record, with how many times."""
    team = set(participant.care_team.values_list("user_id", flat=True))
    days = {}
    for event in events:
        counts = days.setdefault(event.at.astimezone(participant.zone).date(), {})
        key = (event.actor_id, event.action, event.resource)
        if key not in counts:
            name = (event.actor.get_full_name() if event.actor else "") or event.actor_name
            role = _("your counselor") if event.actor_id in team else _("program staff")
            counts[key] = [f"{name} ({role})", 0]
        counts[key][1] += 1
    return [(day, [_seen_sentence(who, action, resource, count)
                   for (_actor, action, resource), (who, count) in counts.items()])
            for day, counts in days.items()]


@participant_required
def access_log(request):
    """Who on the care team has seen or changed my records, by day, newest first."""
    events = audit.events_about(request.participant).select_related("actor")
    page = Paginator(events, 200).get_page(request.GET.get("page"))
    return render(request, "tracker/access_log.html", {"page": page,
                                                       "days": _access_days(request.participant, page)})


def help_page(request):
    return render(request, "tracker/help.html")


@never_cache
def healthz(request):
    """For load balancers and monitors: is the database reachable? Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@participant_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    participant = request.participant
    if request.method == "POST" and request.POST.get("action") == "test":
        reminders.test_notification_send(participant=participant, enqueue=enqueue_sends)
        messages.success(request, _("A test notification is on its way."))
        return redirect("reminders")
    has_email = accounts.email_is_confirmed(request.user)
    form = ReminderSettingsForm(request.POST or None, instance=participant, has_email=has_email)
    if request.method == "POST" and form.is_valid():
        services.reminder_settings_update(participant=participant, data=form.cleaned_data)
        messages.success(request, _("Reminder settings saved."))
        return redirect("reminders")
    return render(request, "tracker/reminders.html", {
        "form": form,
        "upcoming": reminders.upcoming(participant=participant),
        "recent": reminders.recent_deliveries(participant=participant),
        "subscriptions": participant.user.push_subscriptions.count(),
        "has_email": has_email,
    })


class SignOut(LogoutView):
    """Sign out, and have this browser forget Steady: caches, stored data and the service worker."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
