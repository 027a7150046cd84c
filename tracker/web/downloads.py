"""File downloads (exports): JSON at once, CSV streamed row by row."""

import csv
import json

from django.http import HttpResponse, StreamingHttpResponse


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a streaming answer."""

    def write(self, value):
        return value


def download(*, fmt, name, data=None, rows=None):
    """A JSON download of `data`, or a CSV download of the iterable `rows`, named name.fmt."""
    if fmt == "json":
        response = HttpResponse(json.dumps(data, indent=1, ensure_ascii=False), content_type="application/json")
    else:
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
