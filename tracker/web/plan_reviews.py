"""Treatment plan reviews for the care team (issue 18, tracker.plan_reviews): "Review the plan"
with each active goal's progress and a note, the past reviews under it, and a goal's review date
set from the goals page. Access and the one audit row per request come from care_page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import access, audit, plan_reviews, selectors
from ..models import AuditEvent, Goal, GoalReview, PlanReview
from .care import _context, care_page
from .forms import AccessibleErrorsMixin

Action = AuditEvent.Action


class ReviewForm(AccessibleErrorsMixin, forms.Form):
    reviewed_on = forms.DateField(label=gettext_lazy("Day of the review"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=gettext_lazy("Note on the plan (optional)"), required=False,
                           max_length=PlanReview._meta.get_field("note").max_length,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReviewDateForm(AccessibleErrorsMixin, forms.Form):
    review_on = forms.DateField(label=gettext_lazy("Review on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class GoalLine:
    """One goal on the review form: what was picked and typed, and its errors."""

    def __init__(self, goal, data=None):
        self.goal = goal
        self.progress = (data or {}).get(f"progress-{goal.pk}", "")
        self.note = (data or {}).get(f"note-{goal.pk}", "")
        self.errors = {}

    @property
    def choices(self):
        return [(value, label, value == self.progress) for value, label in GoalReview.Progress.choices]


def _page(request, participant, form, lines):
    episode = participant.open_episode
    return render(request, "tracker/care/reviews/review.html", _context(
        participant, "care_reviews", form=form, lines=lines, episode=episode,
        note_max=GoalReview._meta.get_field("note").max_length,
        due={g.pk for g in plan_reviews.due_goals(participant, participant.local_today())},
        reviews=plan_reviews.reviews(participant)))


@require_http_methods(["GET", "POST"])
@care_page("plan-reviews")
def review(request, participant):
    """GET: the form and the past reviews. POST: record the review (every listed goal needs its
    progress), then back to this page; a refusal shows each problem beside its field."""
    goals = plan_reviews.review_goals(participant)
    if request.method != "POST":
        form = ReviewForm(initial={"reviewed_on": participant.local_today()})
        return _page(request, participant, form, [GoalLine(g) for g in goals])
    form = ReviewForm(request.POST)
    lines = [GoalLine(g, request.POST) for g in goals]
    for line in lines:
        if not line.progress:
            line.errors["progress"] = [_("Pick how this goal is going.")]
    if form.is_valid() and not any(line.errors for line in lines):
        try:
            saved = plan_reviews.review_record(
                participant=participant, counselor=request.counselor, reviewed_on=form.cleaned_data["reviewed_on"],
                note=form.cleaned_data["note"],
                goals=[plan_reviews.GoalProgress(goal_id=line.goal.pk, progress=line.progress, note=line.note)
                       for line in lines])
        except plan_reviews.ReviewRefused as refusal:
            for line, problems in zip(lines, refusal.goal_lines):
                line.errors.update(problems)
            for field, problems in refusal.message_dict.items():
                if field != "goals":
                    form.add_error(field if field in form.fields else None, problems)
        else:
            audit.record(request, action=Action.WRITE, resource="plan-reviews", participant=participant,
                         object_id=saved.pk)
            messages.success(request, _("Plan review saved for %(name)s.") % {"name": participant})
            return redirect("care_reviews", participant.pk)
    if any(line.errors for line in lines) and not form.errors:
        form.add_error(None, _("Check the goals marked below."))
    # A refused form is shown again with what was typed (200, as the other care forms): the page
    # read the person's goals, so care_page writes its read row.
    return _page(request, participant, form, lines)


@require_http_methods(["POST"])
@care_page("goals")
def review_date(request, participant, entry_id):
    """A goal's review date, from its card on the goals page; an empty date takes it away."""
    goal = access.own_entry(Goal, participant=participant, entry_id=entry_id)
    form = ReviewDateForm(request.POST)
    if form.is_valid():
        try:
            plan_reviews.goal_set_review_date(goal=goal, review_on=form.cleaned_data["review_on"])
        except ValidationError as error:
            form.add_error("review_on", error.message_dict["review_on"])
        else:
            audit.record(request, action=Action.WRITE, resource="goals", participant=participant, object_id=goal.pk)
            messages.success(request, _("Review date saved for “%(goal)s”.") % {"goal": goal.title})
            return redirect("care_goals", participant.pk)
    # Back to the goals page, the refused date beside its goal, as typed.
    return render(request, "tracker/care/goals.html", _context(
        participant, "care_goals", date_error={"goal": goal.pk, "message": " ".join(form.errors["review_on"]),
                                               "value": request.POST.get("review_on", "")},
        **selectors.goals_and_tasks(participant=participant)))
