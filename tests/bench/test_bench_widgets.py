"""The form renderer, Django's widget templates against tracker.web.widgets.PlainWidgets, on the
demo's form pages: interleaved in one process (the two alternate every 3 requests, 15 rounds), so a
change in the machine's speed hits both. Prints each page's median CPU time both ways; asserts
only that the pages answer. Run with `make bench PYTEST_ARGS="-k widgets"` (templates render as a
server renders them: tests/bench/conftest.py)."""

import statistics
import time

from django.test import Client, override_settings

from machine import CpuSteal
from signin import verified_login
from test_bench_pages import demo  # noqa: F401 (the demo's seeding, as the page benchmark has it)

RENDERERS = (("stock", "django.forms.renderers.DjangoTemplates"), ("written out", "tracker.web.widgets.PlainWidgets"))
PAGES = [("participant", "/checkin/"), ("participant", "/urge/"), ("participant", "/weekend/"),
         ("participant", "/reminders/"), ("participant", "/settings/"), ("counselor", "/care/settings/checkups/")]


def test_the_form_renderers_side_by_side(demo):  # noqa: F811
    alex, counselor = demo
    clients = {"participant": verified_login(Client(), alex.user), "counselor": verified_login(Client(), counselor.user)}
    steal = CpuSteal()
    print("\n| page | stock renderer (ms CPU) | written out (ms CPU) | ratio |\n|---|---:|---:|---:|")
    for side, url in PAGES:
        client = clients[side]
        assert client.get(url).status_code == 200, url
        times = {name: [] for name, _ in RENDERERS}
        for _ in range(15):
            for name, renderer in RENDERERS:
                with override_settings(FORM_RENDERER=renderer):
                    client.get(url)  # the renderer's templates loaded
                    for _ in range(3):
                        started = time.process_time()
                        client.get(url)
                        times[name].append((time.process_time() - started) * 1000)
        stock, plain = (statistics.median(times[name]) for name, _ in RENDERERS)
        print(f"| `{url}` | {stock:.1f} | {plain:.1f} | {plain / stock:.0%} |", flush=True)
    print(steal)
