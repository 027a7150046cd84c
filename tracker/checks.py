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
