"""A day written as Django's `date_format` (and the `date` filter) writes it, in the active
language, without its cost on pages that write hundreds of days (issue 20: My progress for 90
days wrote about 270, the care team's trends more; each took Django about 13 µs, formatting the
format string again and looking up a month's or weekday's name in the catalog every time).

`day_text` understands a format once (with Django's own pattern for its codes) and the names of
the days and months once per language; a format holding any code it does not write, a named
format (DATE_FORMAT), or a value that is not a plain date goes to Django's `date_format`.
tests/test_days.py compares the two for every day of a leap year and a common one, for every
format Steady writes days with, in English and in Spanish.
"""

import datetime as dt

from django.utils import translation
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import FORMAT_SETTINGS, date_format

_NAMES = {}  # language: {code: names}
_FORMATS = {}  # format string: [(is_code, text)], or None when a code is not one written here


def _names():
    language = translation.get_language()
    names = _NAMES.get(language)
    if names is None:
        names = _NAMES[language] = {
            "D": [str(WEEKDAYS_ABBR[n]) for n in range(7)], "l": [str(WEEKDAYS[n]) for n in range(7)],
            "M": [""] + [str(MONTHS_3[n]).title() for n in range(1, 13)],
            "b": [""] + [str(MONTHS_3[n]) for n in range(1, 13)],
            "F": [""] + [str(MONTHS[n]) for n in range(1, 13)],
        }
    return names


def _parsed(fmt):
    """What DateFormat.format makes of `fmt`: its codes, and the text between them unescaped."""
    if fmt not in _FORMATS:
        parts = []
        for index, piece in enumerate(re_formatchars.split(fmt)):
            if index % 2:
                if piece not in "djnmYDlMbF":
                    parts = None
                    break
                parts.append((True, piece))
            elif piece:
                parts.append((False, re_escaped.sub(r"\1", piece)))
        _FORMATS[fmt] = parts
    return _FORMATS[fmt]


def day_text(day, fmt):
    """`django.utils.formats.date_format(day, fmt)` for a date, the same text."""
    if not fmt:  # Django's DATE_FORMAT
        return date_format(day, fmt)
    fmt = str(fmt)
    parts = None if type(day) is not dt.date or fmt in FORMAT_SETTINGS else _parsed(fmt)
    if parts is None:
        return date_format(day, fmt)
    names, out = _names(), []
    for is_code, text in parts:
        if not is_code:
            out.append(text)
        elif text == "j":
            out.append(str(day.day))
        elif text == "d":
            out.append(f"{day.day:02d}")
        elif text == "n":
            out.append(str(day.month))
        elif text == "m":
            out.append(f"{day.month:02d}")
        elif text == "Y":
            out.append(f"{day.year:04d}")
        elif text in "Dl":
            out.append(names[text][day.weekday()])
        else:
            out.append(names[text][day.month])
    return "".join(out)
