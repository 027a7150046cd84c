from django import template

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
