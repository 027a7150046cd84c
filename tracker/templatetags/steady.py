from django import template
from django.utils.translation import pgettext

from tracker.models import tel as tel_digits

register = template.Library()


@register.filter
def hours_minutes(minutes):
    """425 -> "7 h 5 min"."""
    if minutes is None or minutes == "":
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return pgettext("a duration", "%(minutes)s min") % {"minutes": rest}
    if rest:
        return pgettext("a duration", "%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    return pgettext("a duration", "%(hours)s h") % {"hours": hours}


@register.filter
def percent(fraction):
    if fraction is None or fraction == "":
        return ""
    return f"{round(float(fraction) * 100)}%"


@register.filter
def tel(phone):
    """A phone number as written, turned into what a tel: or sms: link needs."""
    return tel_digits(phone or "")

