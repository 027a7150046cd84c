"""The Celery app: configured from Django settings (the CELERY_* names), tasks found in apps."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("steady")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
