"""Aftercare pages (issue 18, item 3; tracker.aftercare).

The care team: a person's aftercare plan (made at discharge, editable after, audited), the
Aftercare page beside the caseload (people in aftercare, their latest check-up, open flags first,
each acknowledgeable) and the program's check-up settings (its admins).
The participant: a check-up (the chosen BAM items and "Would you like to talk to someone?"), their
aftercare plan in plain words, and stopping the check-ups (from Settings).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import access, aftercare, audit, instruments, responses, services
from ..models import AftercarePlan, AuditEvent, Checkup, CheckupAnswer
from .care import _context, care_page
from .decorators import participant_required, signed_in
from .forms import AccessibleErrorsMixin, NumberInput

Action = AuditEvent.Action


# ---- The care team: a person's plan


class AftercarePlanForm(AccessibleErrorsMixin, forms.ModelForm):
    checkups = forms.TypedChoiceField(
        label=gettext_lazy("Check-ups from the program"), coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        choices=[("yes", gettext_lazy("Yes, they agreed")), ("no", gettext_lazy("No"))],
        error_messages={"required": gettext_lazy("Say whether they agreed to check-ups.")},
        help_text=gettext_lazy("A short check-in on their phone, every month by default. They can stop them in Settings."))

    class Meta:
        model = AftercarePlan
        fields = aftercare.PLAN_FIELDS
        widgets = {
            "first_appointment_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "checkups_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "meetings": forms.Textarea(attrs={"rows": 3}), "people": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"next_provider": gettext_lazy("Next provider"), "first_appointment_at": gettext_lazy("First appointment"),
                  "first_appointment_place": gettext_lazy("Where"), "prescriber": gettext_lazy("Prescriber"),
                  "meetings": gettext_lazy("Mutual-help meetings"), "people": gettext_lazy("People to call"),
                  "follow_up": gettext_lazy("What we agreed for follow-up"), "checkups_until": gettext_lazy("Check-ups until")}
        help_texts = {"people": gettext_lazy("Names and numbers, one a line."),
                      "first_appointment_at": gettext_lazy("In the person’s own time zone."),
                      "follow_up": gettext_lazy("In words the person will recognise: they see this plan in their app.")}
        error_messages = {"first_appointment_at": {"invalid": gettext_lazy("Pick a day and time from the calendar.")},
                          "checkups_until": {"invalid": gettext_lazy("Pick a day from the calendar.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("checkups", "yes" if self.instance.checkups else "no")
        if self.instance.pk is None and not self.is_bound:
            self.initial["checkups"] = ""


def _foreign(item):
    """The language an item is shown in when it is not the reader's ("en": the BAM has no Spanish
    version, so a Spanish reader sees it in English, marked lang="en" with a note), else ""."""
    shown = item.shown_in()
    return shown if shown != instruments._language() else ""


def _checkup_lines(checkups):
    """Each check-up with its answer (texts of the items asked), for the care team's read:
    (number, text, answer's words, language the text is shown in when not the reader's)."""
    answers = {a.checkup_id: a for a in CheckupAnswer.objects.filter(checkup__in=checkups)}
    for checkup in checkups:
        checkup.answer = answers.get(checkup.pk)
        checkup.lines = []
        if checkup.answer:
            for item in aftercare.items_for(checkup):
                value = checkup.answer.answers.get(item.key)
                words = next((o.text() for o in item.options if o.value == value), "")
                checkup.lines.append((item.number, item.text(), words, _foreign(item)))
        checkup.in_english = any(line[3] for line in checkup.lines)
    return checkups


@require_http_methods(["GET", "POST"])
@care_page("aftercare-plan", while_discharged=True)
def plan_page(request, participant):
    """The aftercare plan of the person's latest episode: made at discharge with them, editable
    after (each save audited). Their check-ups below it, read only."""
    episode = aftercare.latest_episode(participant)
    if episode is None:
        return render(request, "tracker/care/aftercare/plan.html", _context(participant, "care_aftercare_plan",
                                                                           episode=None))
    plan = aftercare.plan_for(episode)
    form = AftercarePlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in aftercare.PLAN_FIELDS}
        try:
            aftercare.plan_save(request=request, episode=episode, data=data, actor=request.user)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Aftercare plan saved."))
            return redirect("care_aftercare_plan", participant.pk)
    checkups = _checkup_lines(list(Checkup.objects.filter(episode=episode).order_by("-due_on")))
    return render(request, "tracker/care/aftercare/plan.html", _context(
        participant, "care_aftercare_plan", episode=episode, plan=plan, form=form, checkups=checkups,
        bam_on=participant.program.bam_on), status=400 if form.errors else 200)


# ---- The care team: the Aftercare page


@signed_in
def aftercare_list(request):
    """People in aftercare the counselor may see (their former care team; an admin also those whose
    counselor of record has left), open flags first. One audit row names the people shown."""
    counselor = access.caseload_counselor(request, resource="aftercare")
    rows = aftercare.rows_for(counselor)
    for row in rows:
        row.flag_lines = [{"answer": a, "evidence": aftercare.evidence_for(a)} for a in row.flags]
    response = render(request, "tracker/care/aftercare/list.html", {"rows": rows, "counselor": counselor})
    audit.record(request, action=Action.READ, resource="aftercare", shown=[row.participant.pk for row in rows])
    return response


@signed_in
@require_http_methods(["POST"])
def acknowledge(request, participant_id):
    participant = aftercare.aftercare_participant(request, participant_id, resource="aftercare-acknowledgement")
    try:
        aftercare.flag_acknowledge(request=request, participant=participant, counselor=request.counselor,
                                   evidence=request.POST.get("evidence", ""),
                                   note=request.POST.get("note", "").strip())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Acknowledged for %(name)s.") % {"name": participant})
    return redirect("care_aftercare")


# ---- The program's check-up settings (its admins)


class CheckupSettingsForm(AccessibleErrorsMixin, forms.Form):
    checkup_items = forms.MultipleChoiceField(
        label=gettext_lazy("BAM items asked"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("Pick from the items shown.")},
        help_text=gettext_lazy("Asked at each check-up. No BAM score is computed from them."))
    checkup_every_days = forms.IntegerField(
        label=gettext_lazy("Days between check-ups"), min_value=aftercare.EVERY_DAYS_MIN, max_value=aftercare.EVERY_DAYS_MAX,
        widget=NumberInput(attrs={"inputmode": "numeric"}))
    checkup_months = forms.IntegerField(
        label=gettext_lazy("Months of check-ups (the default at discharge)"), min_value=aftercare.MONTHS_MIN,
        max_value=aftercare.MONTHS_MAX, widget=NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        # The BAM has no Spanish version: its texts stay English, marked so (the page says why).
        self.in_english = not instruments.BAM.has_version_in()
        self.fields["checkup_items"].choices = [
            (item.key, format_html('{}. <span lang="{}">{}</span>', item.number, lang, item.text()) if lang
             else f"{item.number}. {item.text()}")
            for item, lang in ((item, _foreign(item)) for item in instruments.BAM.items)]
        rule = program.checkup_risk or {}
        self.rule_fields = []
        for item in instruments.BAM.items:
            limits = rule.get(item.key, {})
            kind = "at_least" if "at_least" in limits else "at_most" if "at_most" in limits else ""
            self.fields[f"risk_{item.key}"] = forms.ChoiceField(
                label=_("Item %(number)s is risky when the answer is") % {"number": item.number}, required=False,
                choices=[("", _("never")), ("at_least", _("at least")), ("at_most", _("at most"))],
                initial=kind, error_messages={"invalid_choice": _("Pick from the choices shown.")})
            self.fields[f"risk_{item.key}_value"] = forms.TypedChoiceField(
                label=_("Answer for item %(number)s") % {"number": item.number}, required=False, coerce=int,
                empty_value=None, choices=[("", "")] + [(o.value, o.text()) for o in item.options],
                widget=forms.Select(attrs={"lang": _foreign(item)} if _foreign(item) else {}),
                initial=limits.get(kind), error_messages={"invalid_choice": _("Pick from the choices shown.")})
            self.rule_fields.append((item, self[f"risk_{item.key}"], self[f"risk_{item.key}_value"]))
        self.initial.update({"checkup_items": list(program.checkup_items or []),
                             "checkup_every_days": program.checkup_every_days,
                             "checkup_months": program.checkup_months})

    def clean(self):
        data = super().clean()
        rule = {}
        for item in instruments.BAM.items:
            kind, value = data.get(f"risk_{item.key}"), data.get(f"risk_{item.key}_value")
            if kind and value is None:
                self.add_error(f"risk_{item.key}_value", _("Pick the answer the rule starts at."))
            elif kind and item.key in data.get("checkup_items", []):
                rule[item.key] = {kind: value}
        data["checkup_risk"] = rule
        return data


@signed_in
@require_http_methods(["GET", "POST"])
def checkup_settings(request):
    admin = access.program_admin(request, resource="checkup-settings")
    program = admin.program
    form = CheckupSettingsForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            aftercare.settings_update(request=request, program=program, **{
                name: form.cleaned_data[name] for name in ("checkup_items", "checkup_risk", "checkup_every_days",
                                                           "checkup_months")})
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Check-up settings saved."))
            return redirect("care_checkup_settings")
    return render(request, "tracker/care/aftercare/settings.html", {"form": form, "program": program},
                  status=400 if form.errors else 200)


# ---- The participant


def _own(request, checkup_id):
    checkup = aftercare.own_checkup(request.participant, checkup_id)
    if checkup is None:
        raise Http404("No such check-up.")
    return checkup


def _items(checkup, answers, errors):
    shown = []
    for position, item in enumerate(aftercare.items_for(checkup), start=1):
        picked = answers.get(item.key)
        shown.append({"key": item.key, "text": item.text(), "position": position, "error": errors.get(item.key),
                      "lang": _foreign(item),
                      "options": [{"value": o.value, "text": o.text(), "checked": picked == o.value}
                                  for o in item.options]})
    return shown


def _checkup_page(request, checkup, *, answers, wants_talk=None, errors=None, form_errors=(), status=200):
    now = timezone.now()
    items = _items(checkup, answers, errors or {})
    return render(request, "tracker/aftercare/checkup.html", {
        "checkup": checkup, "items": items, "wrong": [item for item in items if item["error"]],
        "in_english": any(item["lang"] for item in items),
        "form_errors": form_errors, "answer_id": aftercare.answer_id_for(checkup), "wants_talk": wants_talk,
        "talk_error": (errors or {}).get("wants_talk"),
        "until_words": responses.when_words(checkup.closes_at, request.participant.zone, now)}, status=status)


@participant_required
@require_http_methods(["GET", "POST"])
def checkup_page(request, checkup_id):
    """A check-up: the program's BAM items (when it confirmed their terms) and "Would you like to
    talk to someone?". Without script, one form sent once."""
    checkup = _own(request, checkup_id)
    answer = CheckupAnswer.objects.filter(checkup=checkup).first()
    if request.method == "GET":
        if answer is not None:
            return render(request, "tracker/aftercare/checkup_done.html", {"checkup": checkup, "answer": answer})
        if checkup.status != Checkup.Status.OPEN or checkup.closes_at <= timezone.now():
            return render(request, "tracker/aftercare/checkup_done.html", {"checkup": checkup, "closed": True})
        return _checkup_page(request, checkup, answers={})
    answers = {}
    for item in aftercare.items_for(checkup):
        value = request.POST.get(f"answer-{item.key}", "").strip()
        if value:
            answers[item.key] = int(value) if value.lstrip("-").isdigit() else value
    talk = request.POST.get("wants_talk", "")
    if talk not in ("yes", "no"):
        errors = {"wants_talk": _("Please answer yes or no.")}
        try:
            aftercare._check_answers(checkup, answers)
        except aftercare.AnswerErrors as error:
            errors.update(error.by_item)
        return _checkup_page(request, checkup, answers=answers, errors=errors, status=400)
    entry_id = answer.pk if answer else aftercare.answer_id_for(checkup)
    try:
        services.checkup_answer_put(participant=request.participant, id=entry_id, data={
            "checkup": checkup, "answers": answers, "wants_talk": talk == "yes"})
    except (services.EntryNotFound, services.EntryGone):
        raise Http404("No such entry.")
    except services.EntryConflict:
        messages.info(request, _("This check-up has its answers already, maybe from another phone."))
        return redirect("checkup", checkup_id=checkup.pk)
    except aftercare.AnswerErrors as error:
        return _checkup_page(request, checkup, answers=answers, wants_talk=talk, errors=error.by_item, status=400)
    except ValidationError as error:
        return _checkup_page(request, checkup, answers=answers, wants_talk=talk, form_errors=error.messages,
                             status=400)
    return redirect("checkup", checkup_id=checkup.pk)


@participant_required
def my_aftercare(request):
    """The person's aftercare plan in plain words (made with them at discharge), and their check-ups."""
    participant = request.participant
    plan = aftercare.current_plan(participant)
    checkups = list(Checkup.objects.filter(participant=participant, episode=plan.episode).order_by("-due_on")[:12]) \
        if plan else []
    return render(request, "tracker/aftercare/mine.html", {
        "plan": plan, "checkups": checkups, "in_aftercare": participant.in_aftercare,
        "first_appointment": timezone.localtime(plan.first_appointment_at, participant.zone)
        if plan and plan.first_appointment_at else None})


@participant_required
@require_http_methods(["POST"])
def checkups_stop(request):
    """"Stop check-ups" (Settings, and the aftercare page): no more come, and none is reminded."""
    plan = aftercare.checkups_stop(participant=request.participant)  # atomic itself
    if plan is not None:
        messages.success(request, _("Check-ups stopped. Your own reminders stay as you set them."))
    target = request.POST.get("next", "")
    return redirect(target if target in (reverse("settings"), reverse("my_aftercare")) else "settings")


def settings_context(participant):
    """For the Settings page: the person's aftercare plan while they are in aftercare."""
    plan = aftercare.current_plan(participant)
    return {"aftercare_plan": plan}
