"""The API's JSON parser: a size limit and a depth limit, checked before the body is parsed.

Python's json module parses nested arrays and objects by recursion, so a body nested a few
thousand levels deep ends in a RecursionError (a 500). No Steady body is nested more than a
few levels (a safety plan's contacts are the deepest: object, list, object), so anything
deeper than MAX_DEPTH is refused before json.loads sees it. The depth is counted without
recursion: strings are cut out, then brackets are counted.
"""

import io
import itertools
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20

# A JSON string: a quote, then anything but a quote or a backslash, or a backslash and any byte.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("This body is too large.")
    default_code = "too_large"


def max_body_bytes():
    return settings.API_MAX_BODY_BYTES


def nesting_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in this JSON text (0 for a bare number or string)."""
    brackets = _STRING.sub(b"", data).translate(None, delete=_NOT_BRACKETS)
    return max(itertools.accumulate(_STEP[b] for b in brackets), default=0)


class SteadyJSONParser(JSONParser):
    """JSONParser, but a body over API_MAX_BODY_BYTES is a 413 and one nested deeper than
    MAX_DEPTH a 400, both before any parsing."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            declared = 0
        if declared > limit:
            raise BodyTooLarge(_("This body is larger than %(limit)s bytes.") % {"limit": limit})
        # Read one byte more than allowed: a body without a truthful length is caught here.
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise BodyTooLarge(_("This body is larger than %(limit)s bytes.") % {"limit": limit})
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(_("JSON nested deeper than %(depth)s levels is not accepted.") % {"depth": MAX_DEPTH})
        return super().parse(io.BytesIO(data), media_type, parser_context)
