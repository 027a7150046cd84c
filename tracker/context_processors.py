from . import push


def app(request):
    """What every page's <body> tells the app script: is a participant signed in, and the key
    their browser subscribes to reminders with."""
    participant = getattr(request, "participant", None)
    return {"push_key": push.public_key() if participant else ""}
