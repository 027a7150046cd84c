from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def vapid_subject_is_real(app_configs, **kwargs):
    """Push services contact the VAPID subject about abuse, and Apple refuses placeholders."""
    subject = settings.VAPID_SUBJECT
    if not subject.startswith(("mailto:", "https:")) or any(
        placeholder in subject for placeholder in ("example.org", "example.com", "localhost")
    ):
        return [checks.Warning(
            f"VAPID_SUBJECT is {subject!r}: set VAPID_CONTACT_EMAIL or VAPID_SUBJECT to a real mailto: or https: address.",
            id="steady.W001",
        )]
    return []


@checks.register(checks.Tags.security, deploy=True)
def push_goes_only_to_push_services(app_configs, **kwargs):
    """PUSH_ALLOW_LOCAL_SERVICE lets a push endpoint point at this machine: for tests only."""
    problems = []
    if settings.PUSH_ALLOW_LOCAL_SERVICE:
        problems.append(checks.Error(
            "PUSH_ALLOW_LOCAL_SERVICE is on: reminders may be sent to addresses on this machine. It is for tests only.",
            hint="Unset PUSH_ALLOW_LOCAL_SERVICE.", id="steady.E020",
        ))
    for pattern in settings.PUSH_SERVICE_HOSTS:
        if "*" in pattern.removeprefix("*.") or pattern.strip("*.") == "" or "." not in pattern.removeprefix("*."):
            problems.append(checks.Error(
                f"PUSH_SERVICE_HOSTS has {pattern!r}: list host names, or *.domain for the names under one domain.",
                id="steady.E021",
            ))
    return problems
