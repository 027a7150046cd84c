from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Steady"

    def ready(self):
        from django.db.models import fields
        from django.utils.translation import gettext_lazy

        # Django's own catalog has no Spanish for the empty choice of a select: ours does.
        fields.BLANK_CHOICE_LABEL = gettext_lazy("- Select an option -")
        from . import checks  # noqa: F401 (registers the system checks)
        from . import security  # noqa: F401 (its signal receivers: session start, failed sign-ins, deactivation)
