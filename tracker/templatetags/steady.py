from django import template

from tracker.models import tel as tel_digits

register = template.Library()


@register.filter
def hours_minutes(minutes):
    """425 -> "7 h 5 min"."""
    if minutes is None or minutes == "":
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.filter
def percent(fraction):
    if fraction is None or fraction == "":
        return ""
    return f"{round(float(fraction) * 100)}%"


@register.filter
def tel(phone):
    """A phone number as written, turned into what a tel: or sms: link needs."""
    return tel_digits(phone or "")


# The weekday-by-hour heat map: 24 columns after a label column, 7 rows of 18 px.
@register.filter
def heat_x(hour):
    return 20 + int(hour) * 12.5


@register.filter
def heat_y(weekday):
    return int(weekday) * 18 + 2


@register.filter
def weekday_name(weekday):
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[int(weekday)]


@register.filter
def split(value, separator=","):
    return value.split(separator)


@register.filter
def add_days(day, days):
    import datetime as dt

    return day + dt.timedelta(days=int(days))
