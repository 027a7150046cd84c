"""Helpers shared by test modules: the fixed "now", making users, reading a form's entry id,
and reminder settings for one kind. (Personas are fixtures in conftest.py.)"""

import datetime as dt
import re
import uuid

from django.contrib.auth import get_user_model

from tracker import services

NOW = dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC)  # Wed 12:00 in New York, 09:00 in Los Angeles


def make_user(username, **extra):
    return get_user_model().objects.create_user(username=username, password=f"{username}-password-1", **extra)


def hidden_id(html):
    """The client-made entry id a form page carries in its hidden "id" input."""
    return uuid.UUID(re.search(r'name="id" value="([0-9a-f-]+)"', html).group(1))


def reminders_only(participant, **times):
    """Turn every reminder off except the ones named, e.g. reminders_only(p, checkin_reminder_at=time(21))."""
    services.reminder_settings_update(participant=participant, data={
        "checkin_reminder_at": None, "weekend_plan_reminder_at": None, "weekend_review_reminder_at": None,
        "task_reminder_at": None, "high_risk_lead_min": None, **times})


def confirm_email(user, address):
    """The account's email, as if the person had opened the confirmation link sent to it."""
    from tracker.models import AccountState

    user.email = address
    user.save(update_fields=["email"])
    AccountState.objects.update_or_create(user=user, defaults={"email_confirmed": address})


def admitted(participant, counselor=None, level="iop", on=None):
    """An open episode for `participant` (as joining makes one), cheaply: two inserts."""
    from tracker.models import Episode, LevelChange
    day = on or participant.created_at.astimezone(participant.zone).date()
    episode = Episode.objects.create(participant=participant, program_id=participant.program_id, admitted_on=day,
                                     level_of_care=level, counselor=counselor)
    LevelChange.objects.create(episode=episode, level_of_care=level, changed_on=day)
    participant.__dict__.pop("open_episode", None)
    return episode
