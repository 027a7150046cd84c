"""`make run`: the web server, a Celery worker and Celery beat together, stopped by one Ctrl-C.

For a newcomer the last lines on the screen are what matter: the address and how to sign in.
So the port is checked before anything starts (a busy one stops with the setting to change),
and the address is printed only once the web server answers and the worker has said it is
ready, after their banners, and again when Ctrl-C has stopped everything.
"""

import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tracker.models import Program

from .seed_demo import DEMO_PASSWORD, DEMO_PROGRAM, PEOPLE

DEFAULT_ADDR = "127.0.0.1:8000"
READY_SECONDS = 90  # a cold start on a slow laptop: migrations are done, so this is generous
WORKER_READY = " ready."  # Celery's own line once the worker consumes: "celery@host ready."


def split_addr(addr):
    """("127.0.0.1", 8000) from "127.0.0.1:8000", "[::1]:8000" or "8000" (runserver's forms)."""
    host, _, port = addr.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit():
        raise CommandError(f"STEADY_ADDR={addr} is not an address: use host:port, such as {DEFAULT_ADDR}.")
    return host, int(port)


def port_in_use(host, port):
    """Whether a server could not listen on host:port now (something else listens there)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As runserver binds: SO_REUSEADDR lets a port in TIME_WAIT count as free, a listener not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise CommandError(f"Steady cannot listen on {host}:{port} ({error.strerror}). "
                               f"Set STEADY_ADDR to another address, such as {DEFAULT_ADDR}.")
    return False


def busy_port_message(host, port):
    free = next((p for p in range(port + 1, port + 50) if not port_in_use(host, p)), port + 1)
    shown = f"[{host}]" if ":" in host else host
    return (f"Port {port} on {host} is in use (another Steady, or another program). "
            f"Set STEADY_ADDR={shown}:{free} and run make run again, for example:\n"
            f"    STEADY_ADDR={shown}:{free} make run")


def wait_for(check, deadline):
    """Poll check() until it is true or the deadline (time.monotonic()) passes; True if it was."""
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def answers(url):
    """Whether a web server answers at url (any HTTP status counts: it is up)."""
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


class Command(BaseCommand):
    help = "Run the web server with a Celery worker and beat (the embedded default)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("STEADY_ADDR") or DEFAULT_ADDR)
        parser.add_argument("--demo", action="store_true", help="Load missing demo rows first (make run).")

    def handle(self, *args, addr, demo, **options):
        host, port = split_addr(addr)
        if port_in_use(host, port):
            self.stderr.write(busy_port_message(host, port))
            sys.exit(1)
        if demo:
            call_command("seed_demo", stdout=self.stdout)
        python = sys.executable
        worker = subprocess.Popen(
            [python, "-m", "celery", "-A", "project", "worker", "--beat", "--concurrency", "2", "--loglevel", "INFO",
             "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        worker_ready = threading.Event()
        threading.Thread(target=self._pass_on, args=(worker.stdout, worker_ready), daemon=True).start()
        web = subprocess.Popen([python, "manage.py", "runserver", addr])
        children = [worker, web]
        local = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
        url = f"http://{f'[{local}]' if ':' in local else local}:{port}/"
        deadline = time.monotonic() + READY_SECONDS

        def running():
            return all(child.poll() is None for child in children)

        try:
            up = wait_for(lambda: not running() or answers(url + "healthz/"), deadline)
            ready = wait_for(lambda: not running() or worker_ready.is_set(), deadline)
            if running():
                if not (up and ready):
                    self.stdout.write(self.style.WARNING(
                        f"Steady is still starting after {READY_SECONDS} s: "
                        f"{'the web server has not answered' if not up else 'the worker has not said it is ready'}. "
                        "See the messages above."))
                self._welcome(url, addr, host, starting=True)
            # Ctrl-C reaches the whole process group: the children stop by themselves, and so
            # does this loop, whether it sees the interrupt or a child that has exited first.
            while running():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("\nStopping Steady...")
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            stop_by = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, stop_by - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self._welcome(url, addr, host, starting=False)
        return None

    def _pass_on(self, stream, ready):
        """Copy the worker's output to ours, noting the line that says it is ready."""
        for line in stream:
            sys.stdout.write(line)
            sys.stdout.flush()
            if WORKER_READY in line:
                ready.set()

    def _welcome(self, url, addr, host, *, starting):
        lines = [f"Steady is running at {url}  (Ctrl-C stops everything)" if starting
                 else f"Steady has stopped. `make run` starts it again at {url}"]
        if host in ("127.0.0.1", "localhost", "::1"):
            lines.append("Only this computer can open it: to try Steady on a phone, see "
                         "“Try Steady on a real phone” in the README (STEADY_ADDR and SITE_URL).")
        demo_users = set()
        if Program.objects.filter(name=DEMO_PROGRAM).exists():
            demo_users = set(get_user_model().objects.filter(
                username__in=["counselor", *(person[0] for person in PEOPLE)]).values_list("username", flat=True))
        if demo_users:
            participants = ", ".join(p[0] for p in PEOPLE if p[0] in demo_users)
            if participants:
                lines.append(f"  Participants: {participants}   password: {DEMO_PASSWORD}")
            if "counselor" in demo_users:
                lines.append(f"  Counselor:    counselor   password: {DEMO_PASSWORD}   (caseload at {url}care/)")
        self.stdout.write(self.style.SUCCESS("\n" + "\n".join(lines) + "\n"))
