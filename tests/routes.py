"""Every route of the site, for the tests and benchmarks that go through all pages."""

from django.urls import get_resolver


def every_route():
    """Each route as (pattern text, name, its converters' names), includes walked."""
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name, list(pattern.pattern.converters)
    return list(walk(get_resolver().url_patterns))
