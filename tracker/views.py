import functools
import logging
import uuid
import zoneinfo

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .access import own_entry, participant_for_user
from .forms import CheckInForm, ReflectionForm, TimeZoneForm, UrgeForm
from .models import CheckIn, Urge, WeeklyReflection, week_start

logger = logging.getLogger(__name__)


def participant_required(view):
    """Participant pages: anonymous people sign in first; staff accounts are turned away."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        participant = participant_for_user(request.user)
        if participant is None:
            return render(request, "tracker/not_participant.html", status=403)
        request.participant = participant
        return never_cache(view)(request, *args, **kwargs)

    return wrapper


# One description per kind of entry: the form, the write, where "new" and "edit" live, and
# the words the pages use. The three kinds share one view function below.
KINDS = {
    "checkin": dict(model=CheckIn, form=CheckInForm, put=services.checkin_put, noun="check-in",
                    template="tracker/checkin_form.html"),
    "urge": dict(model=Urge, form=UrgeForm, put=services.urge_put, noun="urge", template="tracker/urge_form.html"),
    "reflection": dict(model=WeeklyReflection, form=ReflectionForm, put=services.reflection_put,
                       noun="weekly reflection", template="tracker/reflection_form.html"),
}


def _new_entry_initial(kind, participant, request):
    today = participant.local_today()
    if kind == "checkin":
        day = parse_date(request.GET.get("date") or "") or today
        return {"date": min(day, today)}
    if kind == "urge":
        return {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    day = parse_date(request.GET.get("week") or "") or today
    return {"week_start": week_start(min(day, today))}


def _existing_for_period(kind, participant, initial):
    model = KINDS[kind]["model"]
    if model.ONE_PER is None:
        return None
    return model.objects.filter(participant=participant, **{model.ONE_PER: initial[model.ONE_PER]}).first()


def _saved_message(kind, entry, created):
    if kind == "urge" and entry.is_setback:
        return "Saved. Thank you for writing it down. A setback does not erase the steps before it."
    if kind == "urge":
        return "Urge saved. Noticing it is a skill, and you used it."
    return f"{KINDS[kind]['noun'].capitalize()} {'saved' if created else 'updated'}."


def _entry_form(request, kind, entry=None):
    spec, participant = KINDS[kind], request.participant
    if request.method == "POST":
        try:
            entry_id = entry.pk if entry else uuid.UUID(request.POST.get("id", ""))
        except ValueError:
            entry_id = uuid.uuid4()
        instance = entry or spec["model"](pk=entry_id, participant=participant)
        form = spec["form"](request.POST, instance=instance)
        if form.is_valid():
            try:
                result = spec["put"](participant=participant, id=entry_id, data=form.cleaned_data)
            except services.EntryNotFound:
                raise Http404("No such entry.")
            except services.EntryConflict as conflict:
                link = reverse(f"{kind}_edit", args=[conflict.existing_id])
                form.add_error(
                    conflict.field if conflict.field in form.fields and not form[conflict.field].is_hidden else None,
                    format_html('{} <a href="{}">Open it</a>', conflict.message, link),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _saved_message(kind, result.entry, result.created))
                return redirect("today")
    else:
        initial = {} if entry else _new_entry_initial(kind, participant, request)
        existing = None if entry else _existing_for_period(kind, participant, initial)
        if existing is not None:
            return redirect(f"{kind}_edit", entry_id=existing.pk)
        entry_id = entry.pk if entry else uuid.uuid4()
        form = spec["form"](instance=entry, initial=initial)
    context = {"form": form, "entry": entry, "entry_id": entry_id, "kind": kind}
    if kind == "reflection":
        context["week"] = parse_date(str(form["week_start"].value()))
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
        messages.success(request, f"The {KINDS[kind]['noun']} was deleted.")
        return redirect("history")
    return render(request, "tracker/confirm_delete.html", {"entry": entry, "kind": kind, "noun": KINDS[kind]["noun"]})


@participant_required
def today(request):
    summary = selectors.today_summary(participant=request.participant)
    return render(request, "tracker/today.html", {"summary": summary})


@participant_required
def history(request):
    days = selectors.history(participant=request.participant, days=30)
    return render(request, "tracker/history.html", {"days": days})


@participant_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    participant = request.participant
    form = TimeZoneForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        services.participant_update(participant=participant, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, "Time zone saved.")
        return redirect("settings")
    zones = sorted(zoneinfo.available_timezones())
    return render(request, "tracker/settings.html", {"form": form, "zones": zones})


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
