"""`make run`: the web server, a Celery worker and Celery beat together, stopped by one Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server with a Celery worker and beat (the embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("STEADY_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, addr, **options):
        python = sys.executable
        children = [
            subprocess.Popen([python, "-m", "celery", "-A", "project", "worker", "--beat", "--concurrency", "2",
                              "--loglevel", "INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]),
            subprocess.Popen([python, "manage.py", "runserver", addr]),
        ]
        self.stdout.write(self.style.SUCCESS(f"\nSteady is starting at http://{addr}/  (Ctrl-C stops everything)\n"))
        # Ctrl-C reaches the whole process group: the children stop by themselves, and so does
        # this loop, whether it sees the interrupt or a child that has exited first.
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("\nStopping Steady...")
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        return None
