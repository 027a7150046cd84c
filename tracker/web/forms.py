"""Every form of the pages: entries, plans, settings, the care team's filters, and accounts."""

import functools
import re

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxLengthValidator
from django.utils.dates import WEEKDAYS
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import dates
from ..models import (
    PHONE_RE,
    TOO_LONG,
    AuditEvent,
    CheckIn,
    Counselor,
    Goal,
    HighRiskTime,
    Invitation,
    Participant,
    Program,
    SafetyPlanVersion,
    Strategy,
    Substance,
    Task,
    Trigger,
    Urge,
    WeekendPlan,
    WeeklyReflection,
    known_zones,
    zone_for_city,
    zone_label,
)

SCALE_0_10 = [(n, str(n)) for n in range(11)]
HIGH_RISK_LEADS = (0, 15, 30, 60)


@functools.cache
def zone_options(*, labelled):
    """The options of a time-zone box's datalist (id "time-zones"), written once a process: about
    600 zones, which a template loop wrote one variable at a time on every view of the settings
    pages (issue 20). Labelled ("Buenos Aires (America, Argentina)", the participant's page) in
    label order, or the zone names alone (the care team's pages). Zone names and their labels are
    the same in every language."""
    if labelled:
        return mark_safe("".join(f'<option value="{escape(name)}">{escape(label)}</option>'
                                 for label, name in sorted((zone_label(name), name) for name in known_zones())))
    return mark_safe("".join(f'<option value="{escape(name)}">' for name in sorted(known_zones())))


DURATIONS = [(2, _("2 min")), (5, _("5 min")), (10, _("10 min")), (15, _("15 min")), (30, _("30 min")), (60, _("1 hour")),
             (120, _("2 hours"))]


PRIVATE_NOTE_LABEL = _("Keep this note to myself (my care team won’t see it)")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class NumberInput(forms.NumberInput):
    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", **(attrs or {})})


# Text over a field's limit is refused with TOO_LONG (models.py; the API says it too), never cut: the
# browser's maxlength would cut pasted text without a word, so the page counts instead (static/js/app.js).
COUNTER = _("%(count)s of %(limit)s characters")
COUNTER_OVER = _("%(count)s of %(limit)s characters: %(over)s too many. Shorten it to save.")


def count_to_limit(field):
    """Swap the widget's maxlength for a counter (data attributes the page reads) and the
    limit's message for TOO_LONG."""
    limit = getattr(field, "max_length", None)
    if not limit or not isinstance(field.widget, (forms.TextInput, forms.Textarea)):
        return
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs.update({"data-max-length": limit, "data-counter": COUNTER, "data-counter-over": COUNTER_OVER})
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(MaxLengthValidator(limit, message=TOO_LONG))
    if isinstance(field.widget, forms.Textarea):
        # A browser posts a box's line breaks as \r\n: count (and keep) them as the page and the API
        # do, one character each, or the counter would say "fits" for text the server refuses.
        to_python = field.to_python
        field.to_python = lambda value: to_python(value.replace("\r\n", "\n") if isinstance(value, str) else value)


class AccessibleErrorsMixin:
    """Mark fields with errors for screen readers: aria-invalid, and the error's id to read out.
    Fields with a length limit get a counter instead of the browser's silent cut (count_to_limit).
    An entry's fields say what their model's MESSAGES say, as the API does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():
            count_to_limit(field)
            field.error_messages.update(getattr(model, "MESSAGES", {}).get(name, {}))

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"


class CheckInForm(AccessibleErrorsMixin, forms.ModelForm):
    # The page carries these to the phone, which refuses an empty check-in before the outbox.
    answers = CheckIn.ANSWERS
    empty_message = CheckIn.EMPTY_MESSAGE

    stress = forms.TypedChoiceField(
        choices=SCALE_0_10, coerce=int, required=False, empty_value=None, widget=forms.RadioSelect,
        label=_("Stress today"), help_text=_("0 is calm, 10 is the most stressed you can imagine."),
    )
    # Use and medication (issue 17): optional; the follow-ups show only after "Yes" and "Missed
    # some" (setUpFollowUps in static/js/app.js), and a follow-up without them is refused (CheckIn.clean).
    substances = forms.MultipleChoiceField(
        choices=Substance.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("What did you use?"), help_text=_("Pick any that fit."),
    )

    class Meta:
        model = CheckIn
        fields = CheckIn.WRITABLE
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "in_bed_at": TimeInput(),
            "tried_sleep_at": TimeInput(),
            "final_wake_at": TimeInput(),
            "out_of_bed_at": TimeInput(),
            "sleep_latency_min": NumberInput({"min": 0, "max": 720}),
            "awakenings": NumberInput({"min": 0, "max": 50}),
            "awake_min": NumberInput({"min": 0, "max": 720}),
            "sleep_quality": forms.RadioSelect,
            "mood": forms.RadioSelect,
            "usual_times": forms.CheckboxInput(attrs={"data-usual": ""}),
            "regular_meals": forms.RadioSelect,
            "small_win": forms.TextInput(attrs={"autocomplete": "off"}),
            "note": forms.Textarea(attrs={"rows": 3}),
            "used_today": forms.RadioSelect,
            "took_medication": forms.RadioSelect,
            "doses_missed": NumberInput({"min": 1, "max": 24}),
        }
        labels = {
            "note_private": PRIVATE_NOTE_LABEL,
            "doses_missed": _("How many doses did you miss?"),
            "date": _("Day"),
            "in_bed_at": _("Went to bed"),
            "final_wake_at": _("Woke up"),
            "sleep_quality": _("How well did you sleep?"),
            "regular_meals": _("Regular meals yesterday?"),
            "small_win": _("A small win"),
        }
        help_texts = {
            "tried_sleep_at": _("Leave empty if it was when you went to bed."),
            "out_of_bed_at": _("Leave empty if it was when you woke up."),
            "small_win": _("Anything counts: a walk, a call, a meal."),
            "used_today": _("Optional. Your care team sees your answer."),
        }

    def __init__(self, *args, usual=None, medication=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The person's usual times (progress.usual_times), offered on a new check-in only.
        self.usual = usual
        # "Took my medication today?" is asked of people with an active medication, and kept on a
        # check-in that has an answer already (a medication stopped since).
        self.asks_medication = medication or bool(self.instance.took_medication)
        for name in ("sleep_quality", "mood", "regular_meals", "used_today", "took_medication"):
            field = self.fields[name]
            field.choices = [c for c in field.choices if c[0] != ""]
        self.fields["usual_times"].label = _("Same as usual")

    def clean(self):
        """"Same as usual" with no times (the page without JavaScript) fills in the usual ones;
        times that are not the usual ones (or, on an edit, not the confirmed ones any more) were
        typed, so the check-in no longer says "same as usual"."""
        cleaned = super().clean()
        if not cleaned.get("usual_times"):
            return cleaned
        times = (cleaned.get("in_bed_at"), cleaned.get("final_wake_at"))
        if self.usual is not None:
            usual = (self.usual.in_bed_at, self.usual.final_wake_at)
        elif self.instance.usual_times:
            usual = (self.instance.in_bed_at, self.instance.final_wake_at)
        else:
            usual = None
        if usual is not None and times == (None, None):
            cleaned["in_bed_at"], cleaned["final_wake_at"] = times = usual
        if times != usual:
            cleaned["usual_times"] = False
        return cleaned


class SafeDateTimeField(forms.DateTimeField):
    """A date and time shown in the person's zone; one stored at the calendar's edge (year 1, say,
    from before the dates had a range) cannot be moved into a zone, so it is shown as stored, for
    the person to correct, rather than breaking the page."""

    def prepare_value(self, value):
        try:
            return super().prepare_value(value)
        except OverflowError:
            return value


class UrgeForm(AccessibleErrorsMixin, forms.ModelForm):
    intensity = forms.TypedChoiceField(
        choices=SCALE_0_10, coerce=int, widget=forms.RadioSelect, label=_("How strong?"),
        help_text=_("0 is barely there, 10 is the strongest ever."),
    )
    duration_min = forms.TypedChoiceField(
        choices=DURATIONS, coerce=int, required=False, empty_value=None, widget=forms.RadioSelect,
        label=_("How long did it last?"),
    )
    triggers = forms.MultipleChoiceField(
        choices=Trigger.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("What set it off?")
    )
    helped = forms.MultipleChoiceField(
        choices=Strategy.choices, required=False, widget=forms.CheckboxSelectMultiple, label=_("What helped?")
    )

    class Meta:
        model = Urge
        fields = Urge.WRITABLE
        field_classes = {"occurred_at": SafeDateTimeField}
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "outcome": forms.RadioSelect,
            "trigger_other": forms.TextInput(attrs={"autocomplete": "off"}),
            "helped_other": forms.TextInput(attrs={"autocomplete": "off"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"outcome": _("How did it end?"), "trigger_other": _("Something else set it off"),
                  "note_private": PRIVATE_NOTE_LABEL}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        outcome.choices = [c for c in outcome.choices if c[0] != ""]
        outcome.help_text = _("Leave it for now if it is still going.")
        # Keep a length logged elsewhere (the API takes any minute count) selectable here.
        current = self.initial.get("duration_min")
        if current and current not in dict(DURATIONS):
            self.fields["duration_min"].choices = sorted([*DURATIONS, (current, _("%(n)s min") % {"n": current})])


class LinesField(forms.CharField):
    """Several short lines in one box, kept as a list: one item per line."""

    # data-lines: the offline outbox sends the box as a list of lines, as the API takes it.
    widget = forms.Textarea(attrs={"rows": 4, "data-lines": ""})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ReflectionForm(AccessibleErrorsMixin, forms.ModelForm):
    answers = ("wins", "hard", "focus")
    empty_message = WeeklyReflection.EMPTY_MESSAGE

    wins = LinesField(
        required=False, label=_("This week's wins"),
        help_text=format_lazy(_("One per line, up to {max}. Small ones count."), max=WeeklyReflection.MAX_WINS),
    )

    class Meta:
        model = WeeklyReflection
        fields = WeeklyReflection.WRITABLE
        widgets = {
            "week_start": forms.HiddenInput,
            "hard": forms.Textarea(attrs={"rows": 3}),
            "focus": forms.Textarea(attrs={"rows": 2}),
        }


class TimeZoneForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["time_zone"]
        widgets = {"time_zone": forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"})}
        labels = {"time_zone": _("Your time zone")}
        help_texts = {"time_zone": _("Type a city near you, such as Chicago or Denver, and pick it from the list.")}

    def clean_time_zone(self):
        # The list shows "New York (America)" and posts the zone's name; a city typed without
        # picking from the list is taken when exactly one zone has it.
        value = self.cleaned_data["time_zone"].strip()
        return value if value in known_zones() else zone_for_city(value) or value


class EmailForm(AccessibleErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=_("We send a link to it; the address is saved once you open the link."))


class CounselorSettingsForm(AccessibleErrorsMixin, forms.ModelForm):
    """A counselor's own settings: the zone the caseload, audit log and invitations are shown in,
    and whether urgent notices also come as a notification (tracker.urgent)."""

    class Meta:
        model = Counselor
        fields = ["time_zone", "urgent_push"]
        widgets = {"time_zone": forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"})}
        labels = {"time_zone": _("Your time zone"), "urgent_push": _("Urgent notices on this device too")}
        help_texts = {"time_zone": _("The caseload, the audit log and invitations show times in this zone. "
                                     "A participant’s pages show times in that participant’s zone."),
                      "urgent_push": _("Steady always emails you when someone on your caseload needs a look. "
                                       "With this on, it also shows a notification on each device you turn "
                                       "notifications on for below.")}


WEEKDAY_CHOICES = [(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")),
                   (5, _("Sat")), (6, _("Sun"))]


class ProgramSettingsForm(AccessibleErrorsMixin, forms.ModelForm):
    """What a program's admin sets for everyone in it: its zone, phone and office hours, the weekly
    group hours per level of care, and the words participants see after a setback or a missed group."""

    office_weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Office days"))
    # Urgent notices (tracker.urgent): the risky answer always notifies; these may too.
    on_call_email = forms.EmailField(
        label=_("On-call email"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Enter an email address like oncall@example.org, or leave it empty.")},
        help_text=_("Told at once, at any hour, with the care team, when someone needs a look. Leave it empty "
                    "for nobody besides the care team."))
    urgent_ack_minutes = forms.IntegerField(
        label=_("Minutes before the program admins are told"), min_value=5, max_value=1440, required=False,
        widget=NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Give a number of minutes from 5 to 1440 (a day)."),
                        "min_value": _("Give a number of minutes from 5 to 1440 (a day)."),
                        "max_value": _("Give a number of minutes from 5 to 1440 (a day).")},
        help_text=_("When nobody on the care team acknowledges an urgent notice within this time, each program "
                    "admin is told once. Left empty, 60."))
    urgent_notify_flags = forms.MultipleChoiceField(
        choices=[("use", _("Also notify at once when someone reports use")),
                 ("talk", _("Also notify at once when someone asks to talk"))],
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Other urgent flags"),
        error_messages={"invalid_choice": _("Pick from the choices shown.")})
    # The clinical record of a closed account (tracker.accounts.purge_clinical_records).
    record_retention_years = forms.IntegerField(
        label=_("Keep the clinical record for (years)"), min_value=1, max_value=100, required=False,
        widget=NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Give a number of years from 1 to 100."),
                        "min_value": _("Give a number of years from 1 to 100."),
                        "max_value": _("Give a number of years from 1 to 100.")},
        help_text=_("After someone closes their account, what the care team recorded (episodes, plan reviews, "
                    "attendance, aftercare plans) is kept this many years after the later of the closing and "
                    "their last discharge, then deleted. State law decides how long: check yours before you "
                    "change it. Left empty, 7."))

    class Meta:
        model = Program
        fields = ["time_zone", "phone", "office_weekdays", "office_opens", "office_closes",
                  "harm_reduction_on", "harm_reduction_text", "still_welcome_text",
                  "on_call_email", "urgent_ack_minutes", "urgent_notify_flags",  # urgent notices (tracker.urgent)
                  "record_retention_years"]
        widgets = {"harm_reduction_text": forms.Textarea(attrs={"rows": 3}),
                   "still_welcome_text": forms.Textarea(attrs={"rows": 2}),
                   "time_zone": forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
                   "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
                   "office_opens": TimeInput(), "office_closes": TimeInput()}
        labels = {"time_zone": _("The program’s time zone"), "phone": _("Main phone number"),
                  "office_opens": _("Office opens"), "office_closes": _("Office closes"),
                  "harm_reduction_on": _("Show a harm-reduction line after a setback"),
                  "harm_reduction_text": _("The line, in your program’s words"),
                  "still_welcome_text": _("“Still welcome in group”, in your program’s words")}
        help_texts = {"time_zone": _("Groups meet at clock times in this zone. Type a city and pick it from the list."),
                      "phone": _("Participants see “Call the program” with this number."),
                      "harm_reduction_text": _("Left empty, participants see Steady’s own wording (above)."),
                      "still_welcome_text": _("Shown to someone who missed group because they used. "
                                                  "Left empty, Steady’s own wording.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = self.instance.group_hours_targets or {}
        # One number per level of care; empty means the program sets no target for it.
        for level, label in Participant.LevelOfCare.choices:
            self.fields[f"hours_{level}"] = forms.DecimalField(
                label=_("%(level)s: group hours per week") % {"level": label}, required=False, min_value=0,
                max_value=60, decimal_places=1, initial=targets.get(level),
                widget=NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))

    def hours_fields(self):
        return [self[f"hours_{level}"] for level in Participant.LevelOfCare.values]

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        return value if value in known_zones() else zone_for_city(value) or value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value and not re.match(PHONE_RE, value):
            raise forms.ValidationError(_("That doesn’t look like a phone number. Use digits, spaces, + - ( )."))
        return value

    def clean(self):
        data = super().clean()
        opens, closes = data.get("office_opens"), data.get("office_closes")
        if opens and closes and closes <= opens:
            self.add_error("office_closes", _("The office closes after it opens."))
        targets = {}
        for level in Participant.LevelOfCare.values:
            hours = data.pop(f"hours_{level}", None)
            if hours is not None:
                if hours * 2 != int(hours * 2):
                    self.add_error(f"hours_{level}", _("Give whole or half hours."))
                    continue
                targets[level] = int(hours) if hours == int(hours) else float(hours)
        data["group_hours_targets"] = targets
        data["office_weekdays"] = sorted(data.get("office_weekdays") or [])
        if "urgent_notify_flags" in data:
            data["urgent_notify_flags"] = sorted(data["urgent_notify_flags"])
        if "urgent_ack_minutes" in data and data["urgent_ack_minutes"] is None:
            data["urgent_ack_minutes"] = Program._meta.get_field("urgent_ack_minutes").get_default()
        if "record_retention_years" in data and data["record_retention_years"] is None:
            data["record_retention_years"] = Program._meta.get_field("record_retention_years").get_default()
        return data


class ContactsField(forms.CharField):
    """People or places, one per line, with an optional phone number after a comma:
    "Maria, 555-123-4567". Kept as [{"name": ..., "phone": ...}]."""

    # data-contacts: the offline outbox turns the lines into [{name, phone}] the same way.
    widget = forms.Textarea(attrs={"rows": 3, "data-contacts": ""})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{item['name']}, {item['phone']}" if item.get("phone") else item["name"] for item in value)
        return value

    def to_python(self, value):
        contacts = []
        for line in (value or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, comma, phone = line.rpartition(",")
            if comma and any(ch.isdigit() for ch in phone):
                contacts.append({"name": name.strip(), "phone": phone.strip()})
            else:
                contacts.append({"name": line, "phone": ""})
        return contacts

    def validate(self, value):
        super().validate(value)
        bad = [item["phone"] for item in value if item["phone"] and not re.match(PHONE_RE, item["phone"])]
        if bad:
            raise forms.ValidationError(
                _("“%(phone)s” doesn’t look like a phone number. Use digits, spaces, + - ( )."), params={"phone": bad[0]}
            )


class SafetyPlanForm(AccessibleErrorsMixin, forms.Form):
    """Every section of the plan; each save becomes a new version."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, (title, hint) in SafetyPlanVersion.SECTIONS.items():
            if key in SafetyPlanVersion.CONTACT_SECTIONS:
                field = ContactsField(required=False, label=title, help_text=format_lazy(
                    _("{hint} One per line: a name, then a comma and a number."), hint=hint))
            else:
                field = LinesField(required=False, label=title,
                                   help_text=format_lazy(_("{hint} One per line."), hint=hint))
            self.fields[key] = field


class WeekendPlanForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = WeekendPlan
        fields = WeekendPlan.WRITABLE
        widgets = {
            "weekend_of": forms.HiddenInput,
            "friday_evening": forms.Textarea(attrs={"rows": 2}),
            "saturday": forms.Textarea(attrs={"rows": 2}),
            "sunday": forms.Textarea(attrs={"rows": 2}),
            "who_to_call": forms.Textarea(attrs={"rows": 2}),
            "places_to_avoid": forms.Textarea(attrs={"rows": 2}),
            "if_urge": forms.Textarea(attrs={"rows": 2}),
            "how_it_went": forms.RadioSelect,
            "review_note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"how_it_went": _("How did the weekend go?")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["how_it_went"]
        field.choices = [c for c in field.choices if c[0] != ""]


class GoalForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = Goal.WRITABLE
        widgets = {"why": forms.Textarea(attrs={"rows": 3}), "status": forms.RadioSelect}
        labels = {"title": _("Goal"), "why": _("Why it matters to me")}


class TaskForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = Task.WRITABLE
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"title": _("Task"), "due_date": _("Due (optional)"), "goal": _("For which goal? (optional)"),
                  "done": pgettext_lazy("a task", "Done")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(participant_id=self.instance.participant_id)
        self.fields["goal"].empty_label = _("No goal")


class HighRiskTimeForm(AccessibleErrorsMixin, forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(WEEKDAYS.items()), coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"data-int": ""}),
        label=_("On these days"),
    )

    class Meta:
        model = HighRiskTime
        fields = HighRiskTime.WRITABLE
        widgets = {"start_time": TimeInput(), "end_time": TimeInput()}
        labels = {"label": _("Name (optional)"), "start_time": _("From"), "end_time": _("Until")}
        help_texts = {"end_time": _("An end before the start runs past midnight.")}


class ReminderSettingsForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["checkin_reminder_at", "high_risk_lead_min", "weekend_plan_reminder_at", "weekend_review_reminder_at",
                  "task_reminder_at", "session_reminder", "quiet_start", "quiet_end", "remind_by_push",
                  "remind_by_email"]
        widgets = {name: TimeInput() for name in ("checkin_reminder_at", "weekend_plan_reminder_at",
                                                  "weekend_review_reminder_at", "task_reminder_at", "quiet_start",
                                                  "quiet_end")}
        widgets["session_reminder"] = forms.RadioSelect
        labels = {"checkin_reminder_at": _("Daily check-in"), "weekend_plan_reminder_at": _("Fridays: plan the weekend"),
                  "weekend_review_reminder_at": _("Mondays: how the weekend went"),
                  "task_reminder_at": _("On the day a task is due"), "session_reminder": _("Group sessions")}
        help_texts = {"checkin_reminder_at": _("Clear a time to turn that reminder off."),
                      "quiet_end": _("No reminders between these times (they may run past midnight).")}

    def __init__(self, *args, has_email, **kwargs):
        super().__init__(*args, **kwargs)
        # A few lead times to pick from; one set earlier another way (the API takes 0-240) stays valid.
        current = self.instance.high_risk_lead_min
        leads = sorted({*HIGH_RISK_LEADS, *([current] if current is not None else [])})
        self.fields["high_risk_lead_min"] = forms.TypedChoiceField(
            choices=[("", _("Off"))] + [(n, str(n)) for n in leads],
            coerce=int, empty_value=None, required=False, widget=forms.RadioSelect,
            label=_("Remind me … minutes before a high-risk time"), initial=current,
            help_text=_("0 reminds you when it starts."),
        )
        # One of the choices is always checked; a form sent without any keeps what was set.
        self.fields["session_reminder"].required = False
        self.order_fields(self.Meta.fields)
        # Email is offered only with a confirmed address (added in Settings, confirmed by a link).
        if not has_email:
            del self.fields["remind_by_email"]


    def clean_session_reminder(self):
        return self.cleaned_data["session_reminder"] or self.instance.session_reminder


class AuditFilterForm(AccessibleErrorsMixin, forms.Form):
    """Filters for a program admin's audit log. Every field is optional."""

    actor = forms.ModelChoiceField(queryset=None, required=False, label=_("Who"), empty_label=_("Anyone"))
    participant = forms.ModelChoiceField(queryset=None, required=False, label=_("About"), empty_label=_("Anyone"))
    action = forms.ChoiceField(choices=[("", _("Any"))] + list(AuditEvent.Action.choices), required=False,
                               label=_("What"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}),
                            validators=[dates.validate_query_day])
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}),
                            validators=[dates.validate_query_day])

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = get_user_model().objects.filter(counselor__program=program).order_by("username")
        self.fields["participant"].queryset = Participant.objects.filter(program=program).select_related("user")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("This is before the first day. Pick a later day."))
        return data

    def filter(self, events):
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor_id=data["actor"].pk)
        if data.get("participant"):
            events = events.filter(participant_id=data["participant"].pk)
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("since"):
            events = events.filter(at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(at__date__lte=data["until"])
        return events


# ---------------------------------------------------------------------------------------------
# Accounts: the second factor, joining, invitations, closing an account


class CodeForm(AccessibleErrorsMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "spellcheck": "false"}))

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


class JoinForm(AccessibleErrorsMixin, forms.Form):
    username = forms.CharField(max_length=150, label=_("Username"),
                               help_text=_("Letters, digits and @ . + - _ only. You sign in with it."),
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label=_("Password"),
                               help_text=_("At least 10 characters; a few words you can remember work well."))
    password_again = forms.CharField(label=_("Password again"),
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    time_zone = forms.ChoiceField(label=_("Your time zone"),
                                  help_text=_("Reminders come at your own clock times. We filled in your phone’s zone."))
    acknowledged = forms.BooleanField(label=_("I have read who sees what"), required=False)

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["time_zone"].choices = [(z, z) for z in sorted(known_zones())]
        if invitation.role == Invitation.Role.COUNSELOR:
            del self.fields["acknowledged"]
            del self.fields["time_zone"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken. Try another."))
        return username

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password and data.get("password_again") and password != data["password_again"]:
            self.add_error("password_again", _("The two passwords don’t match."))
        elif password:
            try:
                password_validation.validate_password(password, get_user_model()(username=data.get("username", "")))
            except forms.ValidationError as error:
                self.add_error("password", error)
        if "acknowledged" in self.fields and not data.get("acknowledged"):
            self.add_error("acknowledged", _("Please read the notice above and tick the box to go on."))
        return data


class NoticeForm(AccessibleErrorsMixin, forms.Form):
    acknowledged = forms.BooleanField(label=_("I have read who sees what"), required=True,
                                      error_messages={"required": _("Please read the notice above and tick the box "
                                                                    "to go on.")})


class InvitationForm(AccessibleErrorsMixin, forms.Form):
    name = forms.CharField(label=_("First name or initials"), max_length=60)
    email = forms.EmailField(label=_("Email (optional)"), required=False,
                             help_text=_("Only for resetting a forgotten password later."))
    role = forms.ChoiceField(choices=Invitation.Role.choices, initial=Invitation.Role.PARTICIPANT,
                             widget=forms.RadioSelect, label=_("Invite as"))

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["role"]


class CloseForm(AccessibleErrorsMixin, forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        # Through authenticate(), so guesses here count towards the sign-in lockout too.
        user = authenticate(self.request, username=self.request.user.get_username(),
                            password=self.cleaned_data["password"])
        if user is None or user.pk != self.request.user.pk:
            raise forms.ValidationError(_("That is not your password."))
        return ""
