from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Steady"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
        from . import security  # noqa: F401 (its signal receivers: session start, failed sign-ins, deactivation)
