"""Medications and their times (issue 17): the person's own page under Settings, and the care
team's page for a person. Both write through services.medication_put (PUT by client-made id,
like every entry); the person's form also goes through the phone's outbox."""

import re
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import access, audit, services
from ..models import AuditEvent, Medication
from .care import _context, care_page
from .decorators import participant_required
from .forms import AccessibleErrorsMixin

# Time boxes on the form: the times saved and one empty, at least this many (the model takes eight).
TIME_SLOTS = 3
MAX_TIMES = 8


class TimeListWidget(forms.Widget):
    """Several time boxes of one name; the outbox sends the filled ones as a list (data-list).
    The first box is the field's label's; the others are named "Time 2", "Time 3", ..."""

    def format_value(self, value):
        return list(value) if isinstance(value, (list, tuple)) else []

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", f"id_{name}")
        times = self.format_value(value)
        slots = min(MAX_TIMES, max(TIME_SLOTS, len(times) + 1))
        boxes = []
        for n in range(slots):
            label = format_html(' aria-label="{}"', _("Time %(n)s") % {"n": n + 1}) if n else ""
            boxes.append(format_html('<input type="time" name="{}" value="{}" id="{}_{}" data-list{}{}>', name,
                                     times[n] if n < len(times) else "", base_id, n, label, flatatt(attrs)))
        # "choices": where the page's script puts a refusal from the outbox (before the group).
        return format_html('<div class="choices time-list">{}</div>', mark_safe("".join(boxes)))

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_


class TimeListField(forms.Field):
    widget = TimeListWidget

    def to_python(self, value):
        # Empty boxes are left out; "08:00:00" (a browser with seconds) is "08:00".
        values = [item.strip()[:5] for item in (value or []) if isinstance(item, str) and item.strip()]
        if not all(re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", item) for item in values):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return values


class MedicationForm(AccessibleErrorsMixin, forms.ModelForm):
    times = TimeListField(label=gettext_lazy("Times"),
                          help_text=gettext_lazy("When you take it, in your own time. One to eight."))

    class Meta:
        model = Medication
        fields = Medication.WRITABLE
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "off"})}
        labels = {"name": gettext_lazy("Name"), "active": gettext_lazy("I take it now"),
                  "remind": gettext_lazy("Remind me at these times")}
        help_texts = {"name": gettext_lazy("In your own words. Only you and your care team see it."),
                      "remind": gettext_lazy("The reminder says only “A reminder you set for this time”, "
                                             "never the name."),
                      "active": gettext_lazy("Clear this when you stop: its reminders stop too, and nothing "
                                             "is deleted.")}

    def __init__(self, *args, care=False, **kwargs):
        super().__init__(*args, **kwargs)
        if care:  # the counselor's page: the same form, in words for the counselor
            self.fields["name"].help_text = gettext_lazy("As the person calls it. Only they and their care team "
                                                         "see it.")
            self.fields["times"].help_text = gettext_lazy("In the person's own time zone. One to eight.")
            self.fields["remind"].label = gettext_lazy("Remind them at these times")
            self.fields["active"].label = gettext_lazy("They take it now")
            self.fields["active"].help_text = gettext_lazy("Clear this when they stop: its reminders stop too.")
        self.fields["times"].error_messages.update(Medication.MESSAGES["times"])
        self.fields["times"].error_messages["required"] = Medication.MESSAGES["times"]["invalid"]


def _save(request, form, *, participant, entry_id, actor):
    """Write the form's medication; on a refusal the form says why. Returns the result or None."""
    try:
        return services.medication_put(participant=participant, id=entry_id, data=form.cleaned_data, actor=actor)
    except services.EntryNotFound:
        raise Http404("No such entry.")
    except services.EntryGone:
        form.add_error(None, _("This medication was deleted, maybe on another device, so it was not saved again. "
                               "Save once more to add it again."))
    except ValidationError as error:
        form.add_error(None, error)
    return None


def _posted_id(request, entry):
    if entry is not None:
        return entry.pk
    try:
        return uuid.UUID(request.POST.get("id", ""))
    except ValueError:
        return uuid.uuid4()


# ---- The participant's own page: Settings, My medications


@participant_required
def medications(request):
    entries = Medication.objects.filter(participant=request.participant).order_by("-active", "name")
    return render(request, "tracker/medications.html", {"medications": entries})


@participant_required
@require_http_methods(["GET", "POST"])
def medication_form(request, entry_id=None):
    participant = request.participant
    entry = access.own_entry(Medication, participant=participant, entry_id=entry_id) if entry_id else None
    entry_id = _posted_id(request, entry) if request.method == "POST" else (entry.pk if entry else uuid.uuid4())
    form = MedicationForm(request.POST or None, instance=entry or Medication(pk=entry_id, participant=participant))
    if request.method == "POST" and form.is_valid():
        result = _save(request, form, participant=participant, entry_id=entry_id, actor=request.user)
        if result is not None:
            messages.success(request, _("Medication saved.") if result.created else _("Medication updated."))
            return redirect("medications")
    return render(request, "tracker/medication_form.html", {
        "form": form, "entry": entry, "entry_id": entry_id, "done_url": reverse("medications"),
        "edit_url": reverse("medication_edit", args=[uuid.UUID(int=0)])})


@participant_required
@require_http_methods(["GET", "POST"])
def medication_delete(request, entry_id):
    entry = access.own_entry(Medication, participant=request.participant, entry_id=entry_id)
    if request.method == "POST":
        services.entry_delete(entry=entry)
        messages.success(request, _("The medication was deleted, and its reminders with it."))
        return redirect("medications")
    return render(request, "tracker/confirm_delete.html", {"entry": entry, "kind": "medication",
                                                           "question": _("Delete this medication?")})


# ---- The care team's page for a person


@care_page("medications")
def care_medications(request, participant):
    entries = (Medication.objects.filter(participant=participant).select_related("added_by__user")
               .order_by("-active", "name"))
    return render(request, "tracker/care/medications.html", _context(
        participant, "care_participant", medications=entries))


@require_http_methods(["GET", "POST"])
@care_page("medications", form=True)
def care_medication_form(request, participant, entry_id=None):
    """A new medication for the person (no entry_id), or a change to one: `added_by` is the
    counselor who adds it. Its audit row is written in the write's transaction (care_page)."""
    entry = access.own_entry(Medication, participant=participant, entry_id=entry_id) if entry_id else None
    entry_id = _posted_id(request, entry) if request.method == "POST" else (entry.pk if entry else uuid.uuid4())
    form = MedicationForm(request.POST or None, instance=entry or Medication(pk=entry_id, participant=participant),
                          care=True)
    if request.method == "POST" and form.is_valid():
        result = _save(request, form, participant=participant, entry_id=entry_id, actor=request.user)
        if result is not None:
            audit.record(request, action=AuditEvent.Action.WRITE, resource="medications", participant=participant,
                         object_id=entry_id)
            messages.success(request, _("Medication saved for %(name)s.") % {"name": participant})
            return redirect("care_medications", participant.pk)
    return render(request, "tracker/care/medication_form.html", _context(
        participant, "care_participant", form=form, entry=entry, entry_id=entry_id))
