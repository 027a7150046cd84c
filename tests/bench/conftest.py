"""What every benchmark shares."""

import pytest
from django.template.base import PartialTemplate, Template
from django.test.utils import _TestState


@pytest.fixture(autouse=True)
def templates_as_served():
    """Templates render here as they do in a server. The test environment (pytest-django sets it
    up for the whole session) replaces Template._render with a version that sends a signal for
    every template rendered, and the test Client copies the whole context on each one, for a
    test's response.context: on a page with an include in a loop that was a quarter of its time
    (650 renders a request on the check-up settings page), work no server does. No benchmark
    reads response.context or response.templates."""
    instrumented = Template._render, PartialTemplate._render
    saved = getattr(_TestState, "saved_data", None)  # Django's own record of what it replaced
    if saved is None or not hasattr(saved, "partial_template_render"):
        pytest.fail("Django's test environment no longer records the template render it replaces: "
                    "find how this Django instruments templates before timing any page")
    Template._render, PartialTemplate._render = saved.template_render, saved.partial_template_render
    try:
        yield
    finally:
        Template._render, PartialTemplate._render = instrumented

