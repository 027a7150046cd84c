"""Episodes of care on the counselor's pages (/care/participants/<id>/episode/): the person's
stays in the program, and the forms to admit, change the level of care, update the plan and
discharge. The participant's own page (/program/) tells their time in the program in plain
words, never the kind of discharge or the care team's note.

The counselor's pages come through tracker.web.care.care_page (access, one audit row; a write's
row in the write's transaction). Admitting is the one write allowed about a discharged person.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import audit, episodes
from ..models import AuditEvent, Counselor, Episode, Participant
from .care import _context, care_page
from .decorators import participant_required
from .forms import AccessibleErrorsMixin

RESOURCE = "episode"


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _day_field(label):
    return forms.DateField(label=label, widget=_date_widget(),
                           error_messages={"required": gettext_lazy("Pick a day from the calendar."),
                                           "invalid": gettext_lazy("Pick a day from the calendar.")})


class CounselorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ProgramCounselorMixin:
    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = Counselor.objects.filter(program=program).select_related("user")


LEVEL_CHOICES = Participant.LevelOfCare.choices
LEVEL_ERRORS = {"required": gettext_lazy("Pick one of the levels of care shown."),
                "invalid_choice": gettext_lazy("Pick one of the levels of care shown.")}


class AdmitForm(ProgramCounselorMixin, AccessibleErrorsMixin, forms.Form):
    prefix = "admit"
    admitted_on = _day_field(gettext_lazy("Admitted on"))
    level_of_care = forms.ChoiceField(label=gettext_lazy("Level of care"), choices=LEVEL_CHOICES, widget=forms.RadioSelect,
                                      error_messages=LEVEL_ERRORS)
    counselor = CounselorChoice(label=gettext_lazy("Counselor of record"), queryset=Counselor.objects.none(), required=False,
                                empty_label=gettext_lazy("Nobody yet"))
    next_review_on = forms.DateField(label=gettext_lazy("Next plan review (optional)"), required=False,
                                     widget=_date_widget(),
                                     error_messages={"invalid": gettext_lazy("Pick a day from the calendar.")})


class LevelForm(AccessibleErrorsMixin, forms.Form):
    prefix = "level"
    changed_on = _day_field(gettext_lazy("From"))
    level_of_care = forms.ChoiceField(label=gettext_lazy("New level of care"), choices=LEVEL_CHOICES,
                                      widget=forms.RadioSelect, error_messages=LEVEL_ERRORS)
    note = forms.CharField(label=gettext_lazy("Why"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))


class PlanForm(ProgramCounselorMixin, AccessibleErrorsMixin, forms.Form):
    prefix = "plan"
    next_review_on = forms.DateField(label=gettext_lazy("Next plan review"), required=False, widget=_date_widget(),
                                     error_messages={"invalid": gettext_lazy("Pick a day from the calendar.")})
    counselor = CounselorChoice(label=gettext_lazy("Counselor of record"), queryset=Counselor.objects.none(), required=False,
                                empty_label=gettext_lazy("Nobody yet"))


class DischargeForm(AccessibleErrorsMixin, forms.Form):
    prefix = "discharge"
    discharged_on = _day_field(gettext_lazy("Discharged on"))
    discharge_type = forms.ChoiceField(label=gettext_lazy("Kind of discharge"), choices=Episode.Discharge.choices,
                                       widget=forms.RadioSelect,
                                       error_messages={"required": gettext_lazy("Pick one of the kinds of discharge shown."),
                                                       "invalid_choice": gettext_lazy(
                                                           "Pick one of the kinds of discharge shown.")})
    note = forms.CharField(label=gettext_lazy("Note for the record (the care team’s only)"), max_length=500,
                           required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _forms(participant, episode, counselor, bound=None):
    """Every form of the page, empty with today's date, except the one that was posted."""
    today = participant.local_today()
    program = participant.program
    built = {
        "admit": AdmitForm(program=program, initial={"admitted_on": today, "level_of_care": "iop",
                                                     "counselor": counselor}),
        "level": LevelForm(initial={"changed_on": today}),
        "plan": PlanForm(program=program, initial={"next_review_on": episode.next_review_on if episode else None,
                                                   "counselor": episode.counselor_id if episode else None}),
        "discharge": DischargeForm(initial={"discharged_on": today}),
    }
    if bound is not None:
        built[bound.prefix] = bound
    return built


def _page(request, participant, bound=None):
    stays = episodes.history(participant)
    current = next((e for e in stays if e.is_open), None)
    past = [e for e in stays if not e.is_open]
    return render(request, "tracker/care/episodes/episode.html", _context(
        participant, "care_episode", episode=current, past=past, forms=_forms(participant, current, request.counselor, bound),
        levels=LEVEL_CHOICES))


@care_page(RESOURCE)
def episode_page(request, participant):
    return _page(request, participant)


def _write(request, participant, form, action):
    """Run `action(data)` for a valid form; field errors go back next to their fields."""
    if form.is_valid():
        try:
            episode = action(form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            audit.record(request, action=AuditEvent.Action.WRITE, resource=RESOURCE, participant=participant,
                         object_id=episode.pk)
            return episode
    return None


@require_http_methods(["POST"])
@care_page(RESOURCE, form=True, while_discharged=True)
def admit(request, participant):
    form = AdmitForm(request.POST, program=participant.program)
    episode = _write(request, participant, form, lambda data: episodes.admit(
        participant=participant, actor=request.user, **data))
    if episode is None:
        return _page(request, participant, form)
    messages.success(request, _("%(name)s admitted.") % {"name": participant})
    return redirect("care_episode", participant.pk)


def _change_open(request, participant, form, change, *, done, missing=None, then="care_episode"):
    """A write on the open episode (`change(episode, data)`): refused next to the form when there
    is none, field errors by their fields, else the message `done` and on to `then`."""
    episode = participant.open_episode
    if episode is None:
        form.add_error(None, missing or _("There is no open episode to change. Admit them first."))
        return _page(request, participant, form)
    if _write(request, participant, form, lambda data: change(episode, data)) is None:
        return _page(request, participant, form)
    messages.success(request, done)
    return redirect(then, participant.pk)


@require_http_methods(["POST"])
@care_page(RESOURCE, form=True)
def change_level(request, participant):
    return _change_open(request, participant, LevelForm(request.POST), lambda episode, data: episodes.change_level(
        episode=episode, actor=request.user, **data), done=_("Level of care changed."))


@require_http_methods(["POST"])
@care_page(RESOURCE, form=True)
def plan(request, participant):
    return _change_open(request, participant, PlanForm(request.POST, program=participant.program),
                        lambda episode, data: episodes.plan_update(episode=episode, **data), done=_("Plan saved."))


@require_http_methods(["POST"])
@care_page(RESOURCE, form=True)
def discharge(request, participant):
    # On to the aftercare plan, which is made at discharge.
    return _change_open(request, participant, DischargeForm(request.POST),
                        lambda episode, data: episodes.discharge(episode=episode, **data),
                        done=_("%(name)s discharged. Their record is now read-only for the care team.")
                        % {"name": participant},
                        missing=_("There is no open episode to end."), then="care_aftercare_plan")


# ---- The participant's own page


@participant_required
def my_program(request):
    """My time in the program, in plain words: when I joined, came back, and when it ended."""
    return render(request, "tracker/my_program.html", {"stays": episodes.own_story(request.participant)})
