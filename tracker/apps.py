from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Steady"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
