"""The program's groups under /care/groups/: program admins set them up, add and end members,
and edit sessions one by one (move, cancel, restore, add an extra one, set the topic); a group's
facilitators see their groups and the next eight weeks of sessions. Closure days are added and
removed from the program settings page.

Anyone who is neither gets a 404 and a denied audit row; every read and write leaves one row.
The writes themselves are tracker.schedule's service functions.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, audit, schedule
from ..models import HARM_REDUCTION_DEFAULT, AuditEvent, ClosureDay, Counselor, Group, GroupMembership, GroupSession, Participant
from .decorators import signed_in
from .forms import WEEKDAY_CHOICES, AccessibleErrorsMixin, ProgramSettingsForm, TimeInput, zone_options

Action = AuditEvent.Action
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# Forms


class GroupForm(AccessibleErrorsMixin, forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(choices=WEEKDAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple,
                                              label=gettext_lazy("Meets on"),
                                              error_messages={"required": gettext_lazy("Pick at least one day.")})
    facilitators = forms.ModelMultipleChoiceField(queryset=Counselor.objects.none(), required=False,
                                                  widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Facilitators"))

    class Meta:
        model = Group
        fields = ["name", "kind", "facilitators", "weekdays", "start_time", "length_min", "place", "video_url",
                  "active_from", "active_to"]
        widgets = {"start_time": TimeInput(), "active_from": DATE, "active_to": DATE,
                   "length_min": forms.NumberInput(attrs={"inputmode": "numeric", "step": "15"})}
        labels = {"start_time": gettext_lazy("Starts at"), "length_min": gettext_lazy("Length in minutes"),
                  "video_url": gettext_lazy("Video link (optional)"), "active_from": gettext_lazy("Meets from"),
                  "active_to": gettext_lazy("Until (optional)")}
        help_texts = {"start_time": gettext_lazy("In the program’s time zone."),
                      "active_to": gettext_lazy("Empty: no end date.")}

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = Counselor.objects.filter(program=program).select_related("user")
        self.fields["weekdays"].initial = self.instance.weekdays if self.instance.pk else None

    def clean(self):
        data = super().clean()
        start, end = data.get("active_from"), data.get("active_to")
        if start and end and end < start:
            self.add_error("active_to", _("The end date is before the start date."))
        if data.get("weekdays"):
            data["weekdays"] = sorted(set(data["weekdays"]))
        return data


class MemberForm(AccessibleErrorsMixin, forms.Form):
    participant = forms.ModelChoiceField(queryset=Participant.objects.none(), label=gettext_lazy("Participant"))
    joined_on = forms.DateField(label=gettext_lazy("Joined on"), widget=DATE)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        current = group.memberships.filter(left_on__isnull=True).values("participant")
        self.fields["participant"].queryset = (Participant.objects.filter(program=group.program, closed_at__isnull=True)
                                               .exclude(pk__in=current).select_related("user")
                                               .order_by("user__first_name", "user__last_name"))


class LeaveForm(AccessibleErrorsMixin, forms.Form):
    left_on = forms.DateField(label=gettext_lazy("Last day in the group"), widget=DATE)


class MoveForm(AccessibleErrorsMixin, forms.Form):
    day = forms.DateField(label=gettext_lazy("New day"), widget=DATE)
    start_time = forms.TimeField(label=gettext_lazy("Starts at"), widget=TimeInput())
    length_min = forms.IntegerField(label=gettext_lazy("Length in minutes"), min_value=15, max_value=600,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "15"}))


class ExtraForm(MoveForm):
    topic = forms.CharField(label=gettext_lazy("Topic (optional)"), max_length=200, required=False)


class CancelForm(AccessibleErrorsMixin, forms.Form):
    cancel_reason = forms.CharField(label=gettext_lazy("Why it is cancelled"), max_length=200,
                                    help_text=gettext_lazy("Members see that it is cancelled; the reason is for the staff."))


class TopicForm(AccessibleErrorsMixin, forms.Form):
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, required=False)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=120, required=False,
                            help_text=gettext_lazy("Empty: the group’s usual place."))


class ClosureForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = ClosureDay
        fields = ["date", "reason"]
        widgets = {"date": DATE}
        labels = {"date": gettext_lazy("Closed on"), "reason": gettext_lazy("Reason (optional)")}
        help_texts = {"reason": gettext_lazy("Such as “Thanksgiving”. It becomes each cancelled session’s reason.")}


# ---------------------------------------------------------------------------------------------
# Access


def _group(request, group_id, *, resource, write=False):
    """A group of the signed-in counselor's program that they may see: its facilitators (read)
    and the program's admins (read and write). Anyone else gets a 404 and a denied row."""
    counselor = access.counselor_for_user(request.user)
    group = None
    if counselor is not None:
        group = Group.objects.filter(pk=group_id, program_id=counselor.program_id).select_related("program").first()
        allowed = group is not None and (counselor.is_program_admin if write else access.may_run_group(counselor, group))
        group = group if allowed else None
    if group is None:
        audit.deny(request, resource=resource, object_id=str(group_id))
        raise Http404("No such group.")
    request.counselor = counselor
    return group


def _session(request, session_id, *, resource):
    """A session a program admin edits (group_session_for_staff, then admins only)."""
    session = access.group_session_for_staff(request, session_id, resource=resource)
    if not request.counselor.is_program_admin:
        audit.deny(request, resource=resource, object_id=str(session_id))
        raise Http404("No such session.")
    return session


def _local(session, zone):
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return start, end


# ---------------------------------------------------------------------------------------------
# Pages


@signed_in
def groups(request):
    """The program's groups: all of them for an admin, their own for a facilitator."""
    counselor = access.caseload_counselor(request, resource="groups")
    rows = Group.objects.filter(program_id=counselor.program_id).prefetch_related(
        Prefetch("facilitators", queryset=Counselor.objects.select_related("user")))
    if not counselor.is_program_admin:
        rows = rows.filter(facilitators=counselor)
    today = timezone.now().astimezone(counselor.program.zone).date()
    rows = rows.annotate(member_count=Count("memberships", filter=Q(memberships__joined_on__lte=today) & (
        Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=today)), distinct=True))
    response = render(request, "tracker/care/groups/list.html", {
        "groups": rows, "is_admin": counselor.is_program_admin, "program": counselor.program,
        "weekday_names": dict(WEEKDAY_CHOICES)})
    audit.record(request, action=Action.READ, resource="groups")
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def group_edit(request, group_id=None):
    """Create (no id) or change a group: admins only. Sessions are planned (or replanned) at once."""
    if group_id is None:
        admin = access.program_admin(request, resource="group")
        group = Group(program=admin.program, active_from=timezone.now().astimezone(admin.program.zone).date())
        old = None
    else:
        group = _group(request, group_id, resource="group", write=True)
        old = (group.weekdays, group.start_time, group.length_min, group.active_from, group.active_to)
    form = GroupForm(request.POST or None, instance=group, program=group.program)
    if request.method == "POST" and form.is_valid():
        try:
            replanned = schedule.group_save(request=request, group=form.instance,
                                            facilitators=form.cleaned_data["facilitators"], now=timezone.now(), old=old)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Group saved. Sessions are planned eight weeks ahead.") if old is None else
                             ngettext("Group saved; %(count)d future session was planned again.",
                                      "Group saved; %(count)d future sessions were planned again.", replanned)
                             % {"count": replanned})
            return redirect("care_group", form.instance.pk)
    return render(request, "tracker/care/groups/edit.html", {"form": form, "group": group, "new": old is None,
                                                             "zone": group.program.time_zone})


@signed_in
def group_detail(request, group_id):
    """One group: members (admins add and end them) and the next eight weeks of sessions."""
    group = _group(request, group_id, resource="group")
    response = render(request, "tracker/care/groups/detail.html", _detail_context(request, group))
    audit.record(request, action=Action.READ, resource="group", object_id=str(group.pk))
    return response


def _detail_context(request, group):
    """The group page's content; a refused admin form replaces its blank one (typed input kept)."""
    is_admin = request.counselor.is_program_admin
    zone = group.program.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    sessions = list(GroupSession.objects.filter(group=group, ends_at__gt=now - dt.timedelta(days=1),
                                                starts_at__lt=now + dt.timedelta(weeks=schedule.PLAN_WEEKS))
                    .annotate(marked=Count("attendance")))
    for session in sessions:
        session.local_start, session.local_end = _local(session, zone)
    memberships = (group.memberships.select_related("participant__user")
                   .order_by("participant__user__first_name", "participant__user__last_name"))
    return {"group": group, "is_admin": is_admin, "sessions": sessions, "today": today,
            "facilitators": group.facilitators.select_related("user"),
            "current": [m for m in memberships if m.left_on is None or m.left_on >= today],
            "former": [m for m in memberships if m.left_on is not None and m.left_on < today],
            "member_form": MemberForm(group=group, initial={"joined_on": today}) if is_admin else None,
            "extra_form": ExtraForm(initial={"start_time": group.start_time, "length_min": group.length_min})
            if is_admin else None,
            "weekday_names": dict(WEEKDAY_CHOICES)}


@signed_in
@require_POST
def member_add(request, group_id):
    group = _group(request, group_id, resource="group-member", write=True)
    form = MemberForm(request.POST, group=group)
    if form.is_valid():
        try:
            schedule.membership_add(request=request, group=group, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s added to the group.") % {"name": form.cleaned_data["participant"]})
            return redirect("care_group", group.pk)
    return render(request, "tracker/care/groups/detail.html", {**_detail_context(request, group), "member_form": form},
                  status=400)


@signed_in
@require_POST
def member_end(request, membership_id):
    counselor = access.counselor_for_user(request.user)
    membership = None
    if counselor is not None and counselor.is_program_admin:
        membership = (GroupMembership.objects.filter(pk=membership_id, group__program_id=counselor.program_id)
                      .select_related("group__program", "participant__user").first())
    if membership is None:
        audit.deny(request, resource="group-member", object_id=str(membership_id))
        raise Http404("No such member.")
    request.counselor = counselor
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            schedule.membership_end(request=request, membership=membership, left_on=form.cleaned_data["left_on"])
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, _("%(name)s’s last day in the group is %(day)s.") % {
            "name": membership.participant, "day": date_format(form.cleaned_data["left_on"], _("D j M Y"))})
    return redirect("care_group", membership.group_id)


@signed_in
@require_POST
def session_add(request, group_id):
    group = _group(request, group_id, resource="group-session", write=True)
    form = ExtraForm(request.POST)
    if form.is_valid():
        try:
            schedule.session_add(request=request, group=group, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Extra session added."))
            return redirect("care_group", group.pk)
    return render(request, "tracker/care/groups/detail.html", {**_detail_context(request, group), "extra_form": form},
                  status=400)


@signed_in
@require_http_methods(["GET", "POST"])
def session_edit(request, session_id):
    """One session: move it, cancel or restore it, set its topic and place. Attendance stays."""
    session = _session(request, session_id, resource="group-session")
    group, zone = session.group, session.group.program.zone
    start, end = _local(session, zone)
    move = MoveForm(initial={"day": start.date(), "start_time": start.time(), "length_min": session.length_min})
    cancel = CancelForm(initial={"cancel_reason": session.cancel_reason})
    topic = TopicForm(initial={"topic": session.topic, "place": session.place})
    status = 200
    if request.method == "POST":
        what = request.POST.get("action")
        now = timezone.now()
        bound = {"move": MoveForm, "cancel": CancelForm, "topic": TopicForm}.get(what)
        if what == "restore":
            schedule.session_restore(request=request, session=session)
            messages.success(request, _("Session restored: it is on again."))
            return redirect("care_session", session.pk)
        if bound is None:
            raise Http404("No such action.")
        form = bound(request.POST)
        if form.is_valid():
            try:
                if what == "move":
                    schedule.session_move(request=request, session=session, now=now, **form.cleaned_data)
                    messages.success(request, _("Session moved. Its attendance stays with it."))
                elif what == "cancel":
                    schedule.session_cancel(request=request, session=session, reason=form.cleaned_data["cancel_reason"])
                    messages.success(request, _("Session cancelled."))
                else:
                    schedule.session_set_topic(request=request, session=session, **form.cleaned_data)
                    messages.success(request, _("Session saved."))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("care_session", session.pk)
        move, cancel, topic = [form if what == name else f for name, f in
                               (("move", move), ("cancel", cancel), ("topic", topic))]
        status = 400
    response = render(request, "tracker/care/groups/session.html", {
        "session": session, "group": group, "local_start": start, "local_end": end, "move_form": move,
        "cancel_form": cancel, "topic_form": topic, "marked": session.attendance.count()}, status=status)
    if request.method == "GET":
        audit.record(request, action=Action.READ, resource="group-session", object_id=str(session.pk))
    return response


# ---------------------------------------------------------------------------------------------
# Closure days (shown on the program settings page, tracker.web.care.program_settings)


def program_settings_page(request, program, form, closures, *, status=200):
    """The program settings page (tracker.web.care.program_settings), as its own view and a refused
    closure day answer it."""
    return render(request, "tracker/care/program_settings.html", {
        "form": form, "program": program, "default_line": HARM_REDUCTION_DEFAULT, "zones": zone_options(labelled=False),
        **closures}, status=status)


def closure_context(program, form=None):
    today = timezone.now().astimezone(program.zone).date()
    return {"closures": ClosureDay.objects.filter(program=program, date__gte=today),
            "closure_form": form or ClosureForm()}


@signed_in
@require_POST
def closure_add(request):
    admin = access.program_admin(request, resource="closure-day")
    form = ClosureForm(request.POST, instance=ClosureDay(program=admin.program))
    if form.is_valid():
        try:
            closure, cancelled = schedule.closure_add(request=request, program=admin.program, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ngettext("Closed on %(day)s: %(count)d session cancelled.",
                                               "Closed on %(day)s: %(count)d sessions cancelled.", len(cancelled)) % {
                "day": date_format(closure.date, _("D j M Y")), "count": len(cancelled)})
            return redirect("care_program_settings")
    program = admin.program
    return program_settings_page(request, program, ProgramSettingsForm(instance=program),
                                 closure_context(program, form), status=400)


@signed_in
@require_POST
def closure_remove(request, closure_id):
    admin = access.program_admin(request, resource="closure-day")
    closure = ClosureDay.objects.filter(pk=closure_id, program=admin.program).first()
    if closure is None:
        audit.deny(request, resource="closure-day", object_id=str(closure_id))
        raise Http404("No such day.")
    schedule.closure_remove(request=request, closure=closure)
    messages.success(request, _("Closure day removed. Sessions it cancelled stay cancelled until you restore them."))
    return redirect("care_program_settings")
