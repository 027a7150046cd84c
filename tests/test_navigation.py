"""Every participant screen is reachable from Today in at most two taps."""

import re

from django.urls import resolve

SCREENS = {"reminders", "checkin_new", "urge_new", "reflection_new", "history", "settings", "safety_plan", "safety_plan_edit",
           "weekend_new", "tasks", "task_new", "goal_new", "progress", "patterns", "highrisk_new", "help"}


def links(client, path):
    html = client.get(path, follow=True).text
    return {href.split("?")[0].split("#")[0] for href in re.findall(r'<a [^>]*href="(/[^"]*)"', html)}


def test_every_screen_is_two_taps_from_today(alice_client, alice, now):
    first = links(alice_client, "/")
    reached = set(first)
    for path in first:
        reached |= links(alice_client, path)
    names = {resolve(path).url_name for path in reached if not path.startswith(("/static/", "/admin/"))}
    assert SCREENS <= names, SCREENS - names
