import functools

from django.conf import settings

from . import push
from .access import counselor_for_user


def app(request):
    """What every page's <body> tells the app script: is a participant signed in, and the key
    their browser subscribes to reminders with."""
    participant = getattr(request, "participant", None)
    return {
        "push_key": push.public_key() if participant else "",
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        # Looked up only by pages that show the staff menu (a template calls it when it is used).
        "care_counselor": functools.cache(lambda: None if participant else counselor_for_user(request.user)),
    }
