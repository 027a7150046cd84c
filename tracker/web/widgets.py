"""Form widgets written out in Python, character for character as Django's own widget templates
write them (issue 20). A check-in form has about sixty radio buttons: each went through the
template engine (a Context, the template, its includes of input.html and attrs.html), which was
about a quarter of the page's time. The widgets whose templates are
below are written here; any other template (a form, a label, a widget this module does not know)
is rendered by the templates as before, and so is a widget whose data is not what Django's own
widgets give (a missing key). The data is taken as Django's widgets make it: strings, numbers and
dates, no callables (which a template would call). tests/test_widgets.py renders every kind both
ways and compares them, and pins the templates copied here (a Django upgrade that changes one
fails it)."""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
SELECT_OPTION = WIDGETS + "select_option.html"


class _Context:
    """What render_value_in_context reads of a template's context: autoescape on, the settings'
    localization and time zone (a Context's defaults)."""
    autoescape = True
    use_l10n = None
    use_tz = None


def _text(value):
    """{{ value }}"""
    return render_value_in_context(value, _Context)


def _formatted(value):
    """{{ value|stringformat:'s' }}: made a string first (no localization), then escaped unless it
    is safe (a lazy string marked safe is a safe string once formatted, as in the template)."""
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value)
    except (ValueError, TypeError):
        text = ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs):
    """attrs.html"""
    return "".join(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
                   for name, value in attrs.items() if value is not False)


def _input(widget):
    """input.html"""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _input_option(widget):
    """input_option.html (radio_option.html and checkbox_option.html include it)."""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_id = widget["attrs"].get("id")
    opening = f'<label for="{_text(label_id)}">' if label_id else "<label>"
    return f"{opening}{_input(widget)} {_text(widget['label'])}</label>\n"


def _select(widget):
    """select.html with select_option.html for each option; None (the templates render it) when
    an option has a template of its own."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != SELECT_OPTION:
                return None
            parts.append(f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _textarea(widget):
    """textarea.html"""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


def _included_input(widget):
    """text.html, number.html, ...: a line that includes input.html."""
    return _input(widget) + "\n"


WRITERS = {
    **{f"{WIDGETS}{name}.html": _included_input
       for name in ("text", "number", "email", "url", "password", "hidden", "date", "time", "datetime", "search",
                    "tel", "color", "checkbox")},
    WIDGETS + "radio_option.html": lambda widget: _input_option(widget) + "\n",
    WIDGETS + "checkbox_option.html": lambda widget: _input_option(widget) + "\n",
    WIDGETS + "select.html": _select,
    WIDGETS + "textarea.html": _textarea,
}


class PlainWidgets(DjangoTemplates):
    """The default form renderer, with the common widgets written out in Python (above)."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None and set(context) == {"widget"}:
            try:
                written = writer(context["widget"])
            except (KeyError, TypeError, ValueError, AttributeError):
                written = None  # not the data Django's own widgets give: the template decides
            if written is not None:
                return written.strip()  # as BaseRenderer.render strips a template's output
        return super().render(template_name, context, request)
