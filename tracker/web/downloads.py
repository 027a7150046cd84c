"""File downloads (exports): JSON at once, CSV streamed row by row. Every CSV Steady writes goes
through `download`, so every cell is made safe for spreadsheets here, once."""

import csv
import json

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streaming answer."""

    def write(self, value):
        return value


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: text that would start a formula gets a leading
    apostrophe (OWASP's advice); numbers stay numbers, so -3 is still -3."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _in_this_request(lines):
    """The lines, each written in the request's language and time zone: a streamed answer is
    written after the middleware that set them has put them back (a Spanish reader's CSV came
    out in English)."""
    return _lines(lines, translation.get_language(), timezone.get_current_timezone())  # read now, not when streamed


_END = object()


def _lines(lines, language, zone):
    lines = iter(lines)
    try:
        while True:
            with translation.override(language), timezone.override(zone):
                line = next(lines, _END)
            if line is _END:
                return
            yield line
    finally:
        getattr(lines, "close", lambda: None)()  # a download cut short closes its rows at once


def download(*, fmt, name, data=None, rows=None):
    """A JSON download of `data`, or a CSV download of the iterable `rows`, named name.fmt."""
    if fmt == "json":
        response = HttpResponse(json.dumps(data, indent=1, ensure_ascii=False), content_type="application/json")
    else:
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(_in_this_request((writer.writerow([spreadsheet_safe(v) for v in row])
                                                           for row in rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
