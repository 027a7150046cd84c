"""`make run` (manage.py run_embedded), run as a newcomer runs it: on a busy port it stops at once,
before starting anything, with a message that names the setting to change and a non-zero exit;
otherwise the address and sign-ins are the last lines once everything is ready, and again on Ctrl-C."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_busy_port_stops_with_the_setting_to_change_and_a_non_zero_exit(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # a free port, now held by someone else
        taken.listen()
        port = taken.getsockname()[1]
        env = embedded_env(tmp_path, f"127.0.0.1:{port}")
        result = subprocess.run([sys.executable, "manage.py", "run_embedded", "--demo"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Set STEADY_ADDR=127.0.0.1:" in result.stderr and "make run again" in result.stderr
    suggested = int(result.stderr.split("Set STEADY_ADDR=127.0.0.1:")[1].split()[0])
    assert suggested != port
    # Nothing was started or loaded: no worker banner, no demo.
    assert "celery" not in result.stdout.lower() and "Demo program ready" not in result.stdout


def embedded_env(tmp_path, addr):
    """`make run`'s environment: embedded defaults (SQLite and a file broker under its own var dir)."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("DATABASE_URL", "REDIS_URL", "STEADY_REQUIRE_SERVICES")}
    env.update(STEADY_ADDR=addr, DEBUG="1", STEADY_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    return env


def read_until(process, lines, text, timeout):
    """Collect the process's output lines until one holds `text`; fail after `timeout` seconds."""
    found = threading.Event()

    def pump():
        for line in process.stdout:
            lines.append(line)
            if text in line:
                found.set()

    threading.Thread(target=pump, daemon=True).start()
    assert found.wait(timeout), f"no {text!r} within {timeout} s:\n{''.join(lines)[-3000:]}"


def test_the_address_and_sign_ins_come_last_once_everything_is_ready_and_again_on_ctrl_c(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = embedded_env(tmp_path, f"127.0.0.1:{port}")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=300)
    process = subprocess.Popen([sys.executable, "manage.py", "run_embedded", "--demo"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines = []
    try:
        read_until(process, lines, "Steady is running at", timeout=240)
        output = "".join(lines)
        welcome = output.rindex("Steady is running at")
        # After the worker's banner and its "ready", and after the web server's own lines.
        worker_ready = re.search(r"celery@\S+ ready\.", output)
        assert worker_ready and output.index("[tasks]") < worker_ready.start() < welcome
        assert output.index("Quit the server") < welcome
        assert f"http://127.0.0.1:{port}/" in output[welcome:]
        assert "Participants: alex, sam, jordan" in output[welcome:] and "password: steady-demo" in output[welcome:]
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group, as in a terminal
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = "".join(lines)
    stopped = output.rindex("Steady has stopped")
    assert output.index("Stopping Steady") < stopped
    assert "Participants: alex, sam, jordan" in output[stopped:]
