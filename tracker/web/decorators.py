"""Who may open a page: one sign-in rule for participant, account and care pages.

Care pages about one participant add their access check and audit row (tracker.web.care's
`care_page`) on top of `signed_in`.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ..access import counselor_for_user, participant_for_user


def signed_in(view):
    """Anonymous people sign in first and come back here; nothing signed-in is cached."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def participant_required(view):
    """Participant pages: signed in, and a participant (request.participant); staff accounts
    are turned away."""

    @signed_in
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        participant = participant_for_user(request.user)
        if participant is None:
            return render(request, "tracker/not_participant.html", status=403)
        request.participant = participant
        return view(request, *args, **kwargs)

    return wrapper


def counselors_to_caseload(view):
    """The start page sends a counselor (who has no participant pages) to their caseload."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and participant_for_user(user) is None and counselor_for_user(user) is not None:
            return redirect("care_caseload")
        return view(request, *args, **kwargs)

    return wrapper
