"""Questionnaire schedules (issue 17): the program's defaults, set by a program admin at
/care/settings/questionnaires/ (with the BAM's reuse terms confirmed there), and one person's
changes, set by a counselor on their care team at /care/participants/<id>/questionnaires/schedule/.

Access through tracker.access (anyone else: 404 and a denied audit row); every change is written
with its audit row by tracker.measures and planned at once. Reading the program's settings is not
participant data and leaves no row; reading a person's schedule leaves one (care_page).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import access, instruments, measures
from . import care as care_pages
from .decorators import signed_in
from .forms import AccessibleErrorsMixin, NumberInput

RESOURCE_PROGRAM = "questionnaire-schedules"
RESOURCE_PERSON = "questionnaire-schedule"


def describe(schedule):
    """A schedule in words: "At intake, then every 14 days"."""
    if not schedule.available:
        return _("Off: the program has not confirmed the BAM’s reuse terms")
    if not schedule.on:
        return _("Off")
    if schedule.at_intake and schedule.every_days:
        return _("At intake, then every %(days)d days") % {"days": schedule.every_days}
    if schedule.every_days:
        return _("Every %(days)d days from intake (not at intake)") % {"days": schedule.every_days}
    return _("At intake only")


SCHEDULE_FIELDS = ("active", "at_intake", "every_days")


class ScheduleForm(AccessibleErrorsMixin, forms.Form):
    """One instrument's schedule (prefixed with its key: "phq9-active", ...)."""

    # What the BAM's switch says when it is on without its terms confirmed (the admin's page, where
    # the confirmation is a few lines down); empty: tracker.measures' own words.
    BAM_OFF = gettext_lazy("To turn the BAM on, also tick “I confirmed the BAM’s reuse terms for our program” below.")

    active = forms.BooleanField(required=False, label=gettext_lazy("On"))
    at_intake = forms.BooleanField(required=False, label=gettext_lazy("At intake (their first day)"))
    every_days = forms.IntegerField(
        required=False, label=gettext_lazy("Then every (days)"), help_text=gettext_lazy("From 7 to 365. Empty: at intake only."),
        widget=NumberInput(attrs={"min": measures.EVERY_DAYS_MIN, "max": measures.EVERY_DAYS_MAX}),
        error_messages={"invalid": gettext_lazy("Give a whole number of days, or leave it empty.")})

    def __init__(self, *args, instrument, bam_on, schedule, **kwargs):
        super().__init__(*args, prefix=instrument, initial={
            "active": schedule.active and schedule.available, "at_intake": schedule.at_intake,
            "every_days": schedule.every_days}, **kwargs)
        self.instrument = instruments.get(instrument)
        self.schedule = schedule
        self.bam_on = bam_on

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for field, message in measures.schedule_errors(self.instrument.key, bam_on=self.bam_on, **self.values()).items():
            self.add_error(field, self.BAM_OFF if field == "active" and self.BAM_OFF else message)
        return data

    def values(self):
        return {name: self.cleaned_data[name] for name in SCHEDULE_FIELDS}


class PersonScheduleForm(ScheduleForm):
    """A person's schedule: the program's default, or their own."""

    BAM_OFF = ""

    mode = forms.ChoiceField(widget=forms.RadioSelect, label=gettext_lazy("Schedule"))

    def __init__(self, *args, default, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["mode"].choices = [
            ("default", _("Use the program’s default (%(schedule)s)") % {"schedule": describe(default)}),
            ("own", _("Set for this person"))]
        self.fields["mode"].initial = "own" if self.schedule.source == measures.OWN_SOURCE else "default"

    def _uses_default(self):
        return self.data.get(self.add_prefix("mode")) == "default"

    def clean(self):
        if self._uses_default():
            return self.cleaned_data  # the schedule's fields are not used
        return super().clean()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._uses_default():
            for name in SCHEDULE_FIELDS:  # not used: a stray value never blocks the save
                self._errors.pop(name, None)

    def values(self):
        return None if self.cleaned_data["mode"] == "default" else super().values()


class ProgramQuestionnaireForm(AccessibleErrorsMixin, forms.Form):
    window_days = forms.IntegerField(
        min_value=1, max_value=14, label=gettext_lazy("Days a questionnaire stays open"),
        help_text=gettext_lazy("From 1 to 14. It opens at midnight on the day it is due (the participant’s time) and is "
                        "marked missed at midnight this many days later."),
        widget=NumberInput(attrs={"min": 1, "max": 14}))
    bam_confirmed = forms.BooleanField(required=False,
                                       label=gettext_lazy("I confirmed the BAM’s reuse terms for our program"))


def _schedule_forms(request, schedules, bam_on, form_class=ScheduleForm, **extra):
    data = request.POST if request.method == "POST" else None
    return [form_class(data, instrument=key, bam_on=bam_on, schedule=schedules[key],
                       **{name: value[key] for name, value in extra.items()}) for key in instruments.KEYS]


def _spread(error, forms_by_key, other=None):
    """Put a service's field errors next to their fields (normally the forms caught them first)."""
    for key, problems in error.message_dict.items():
        instrument, _dot, field = key.partition(".")
        form = forms_by_key.get(instrument)
        if form is not None:
            form.add_error(field if field in form.fields else None, problems)
        elif other is not None:
            other.add_error(key if key in other.fields else None, problems)


@require_http_methods(["GET", "POST"])
@signed_in
def program_questionnaires(request):
    """The program's default schedule per instrument, the window, and the BAM's reuse terms."""
    admin = access.program_admin(request, resource=RESOURCE_PROGRAM)
    program = admin.program
    current = measures.program_schedules(program)
    settings_form = ProgramQuestionnaireForm(request.POST or None, initial={
        "window_days": program.questionnaire_window_days, "bam_confirmed": program.bam_on})
    # The BAM may be on only with its terms confirmed as they will be after this save.
    bam_on = settings_form.is_valid() and settings_form.cleaned_data["bam_confirmed"] \
        if request.method == "POST" else program.bam_on
    schedule_forms = _schedule_forms(request, current, bam_on)
    if request.method == "POST" and settings_form.is_valid() and all(f.is_valid() for f in schedule_forms):
        try:
            measures.program_schedules_update(
                request=request, program=program, counselor=admin,
                schedules={f.instrument.key: f.values() for f in schedule_forms},
                window_days=settings_form.cleaned_data["window_days"],
                bam_confirmed=settings_form.cleaned_data["bam_confirmed"])
        except ValidationError as error:
            _spread(error, {f.instrument.key: f for f in schedule_forms}, settings_form)
        else:
            messages.success(request, _("Questionnaire schedules saved. Everyone in the program is planned again."))
            return redirect("care_questionnaire_settings")
    return render(request, "tracker/care/questionnaire_settings.html", {
        "program": program, "settings_form": settings_form, "schedule_forms": schedule_forms,
        "bam": instruments.BAM, "confirmed_by": program.bam_terms_confirmed_by if program.bam_on else None,
        "any_errors": settings_form.errors or any(f.errors for f in schedule_forms)})


@require_http_methods(["GET", "POST"])
@care_pages.care_page(RESOURCE_PERSON)
def participant_questionnaires(request, participant):
    """One person's schedule per instrument: the program's default, or their own."""
    schedules = measures.schedules_for(participant)
    defaults = measures.program_schedules(participant.program)
    schedule_forms = _schedule_forms(request, schedules, participant.program.bam_on, PersonScheduleForm,
                                     default=defaults)
    if request.method == "POST" and all(f.is_valid() for f in schedule_forms):
        try:
            measures.participant_schedules_update(
                request=request, participant=participant, counselor=request.counselor,
                schedules={f.instrument.key: f.values() for f in schedule_forms})
        except ValidationError as error:
            _spread(error, {f.instrument.key: f for f in schedule_forms})
        else:
            messages.success(request, _("Schedule saved for %(name)s. Anything due now is planned at once.")
                             % {"name": participant})
            return redirect("care_participant_questionnaires", participant.pk)
    return render(request, "tracker/care/questionnaire_schedule.html", care_pages._context(
        participant, "", schedule_forms=schedule_forms, program=participant.program,
        open_now=measures.open_questionnaires(participant, timezone.now()),
        any_errors=any(f.errors for f in schedule_forms)))
