"""`make run` (manage.py run_embedded) on a busy port stops at once, before starting anything,
with a message that names the setting to change, and a non-zero exit."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_busy_port_stops_with_the_setting_to_change_and_a_non_zero_exit(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # a free port, now held by someone else
        taken.listen()
        port = taken.getsockname()[1]
        # As `make run` has it: embedded defaults (SQLite and a file broker under its own var dir).
        env = {name: value for name, value in os.environ.items()
               if name not in ("DATABASE_URL", "REDIS_URL", "STEADY_REQUIRE_SERVICES")}
        env.update(STEADY_ADDR=f"127.0.0.1:{port}", DEBUG="1", STEADY_VAR_DIR=str(tmp_path))
        result = subprocess.run([sys.executable, "manage.py", "run_embedded", "--demo"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Set STEADY_ADDR=127.0.0.1:" in result.stderr and "make run again" in result.stderr
    suggested = int(result.stderr.split("Set STEADY_ADDR=127.0.0.1:")[1].split()[0])
    assert suggested != port
    # Nothing was started or loaded: no worker banner, no demo.
    assert "celery" not in result.stdout.lower() and "Demo program ready" not in result.stdout
