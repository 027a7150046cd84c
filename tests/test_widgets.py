"""tracker.web.widgets writes the common form widgets in Python (issue 20): character for character
what Django's widget templates write, for every kind it knows, and the templates for the rest."""

import hashlib
import re
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from tracker.web import widgets
from tracker.web.forms import NumberInput, TimeInput

STOCK, PLAIN = DjangoTemplates(), widgets.PlainWidgets()


class EveryKind(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"class": 'a<b"c', "required": True, "disabled": False,
                                                         "data-n": 5, "data-safe": mark_safe("<i>"),
                                                         "placeholder": mark_safe(gettext_lazy("Never & <b>")),
                                                         "title": gettext_lazy("Never & <b>")}))
    number = forms.IntegerField(widget=NumberInput())
    decimal = forms.DecimalField()
    email = forms.EmailField()
    url = forms.URLField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=TimeInput())
    moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    search = forms.CharField(widget=forms.SearchInput)
    phone = forms.CharField(widget=forms.TelInput)
    colour = forms.CharField(widget=forms.ColorInput)
    select = forms.ChoiceField(choices=[("", "---"), (1, gettext_lazy("Never")), (gettext_lazy("Groups"), [
        (2, "<two>"), (3, 3)])])
    several = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")])
    radio = forms.ChoiceField(choices=[(1, gettext_lazy("Never")), (2, 2), (3, "a & b")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=[(1, "one"), (2, mark_safe("<b>two</b>"))],
                                      widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    agree = forms.BooleanField()
    split = forms.SplitDateTimeField()  # a widget of several: the templates, as before


FILLED = {"text": 'typed "<this>"', "number": "7", "decimal": "1.5", "email": "a@b.c", "url": "https://x.y/?a=1&b=2",
          "password": "p<w", "hidden": "h", "date": "2026-11-30", "time": "08:05", "moment": "2026-11-30T08:05",
          "search": "s", "phone": "+1 555", "colour": "#aabbcc", "select": "2", "several": ["1", "2"], "radio": "3",
          "boxes": ["2"], "note": "line one\n<line two>", "agree": "on", "split_0": "2026-11-30", "split_1": "08:05"}


def written(renderer, data, initial=None):
    form = EveryKind(data, initial=initial, renderer=renderer)
    form.is_valid()
    out = []
    for name in form.fields:
        field = form[name]
        out.append(str(field))
        if name in ("radio", "boxes"):
            for option in field:
                out += [option.tag(), option.tag(wrap_label=True), str(option)]
    return out


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("data", [None, FILLED, {"number": "x", "radio": "9"}], ids=["empty", "filled", "refused"])
def test_every_widget_is_written_as_the_templates_write_it(language, data):
    with translation.override(language):
        assert written(PLAIN, data, initial={"note": "", "text": 0}) == written(STOCK, data, initial={"note": "", "text": 0})


def test_the_common_widgets_skip_the_templates_and_others_use_them(monkeypatch):
    rendered = []
    original = DjangoTemplates.render

    def render(self, template_name, context, request=None):
        rendered.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", render)
    out = written(PLAIN, FILLED)
    assert rendered == ["django/forms/widgets/radio.html", "django/forms/widgets/checkbox_select.html",
                        "django/forms/widgets/splitdatetime.html"]
    assert any('<option value="2" selected>&lt;two&gt;</option>' in part for part in out)


def test_an_option_with_a_template_of_its_own_is_left_to_the_templates():
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Fancy(choices=[(1, "one")])
    assert widget.render("x", 1, renderer=PLAIN) == widget.render("x", 1, renderer=STOCK)
    assert "<option" not in widget.render("x", 1, renderer=PLAIN)


PARTICIPANT_FORMS = ["/checkin/", "/urge/", "/reflection/", "/weekend/", "/settings/", "/reminders/", "/safety-plan/edit/",
                     "/settings/medications/new/"]
COUNSELOR_FORMS = ["/care/settings/", "/care/settings/program/", "/care/settings/checkups/", "/care/audit/"]


@pytest.mark.parametrize("url", PARTICIPANT_FORMS + COUNSELOR_FORMS)
def test_the_form_pages_are_the_same_either_way(request, settings, url):
    if url.startswith("/care/"):
        carol = request.getfixturevalue("carol")
        carol.is_program_admin = True  # the program's settings, check-ups and audit log are the admin's
        carol.save()
        client = request.getfixturevalue("carol_client")
    else:
        client = request.getfixturevalue("alice_client")
    pages = []
    for renderer in ("django.forms.renderers.DjangoTemplates", "tracker.web.widgets.PlainWidgets"):
        settings.FORM_RENDERER = renderer
        response = client.get(url)
        assert response.status_code == 200, url
        page = re.sub(r'(name="csrfmiddlewaretoken" value=|name="id" value=|data-id=|/0{8}-[0-9a-f-]+/)"?[^" >]*',
                      "", response.content.decode())
        pages.append(re.findall(r"<form.*?</form>", page, re.S))  # the forms: the rest may count this visit
    assert pages[0] == pages[1]
    assert len(re.findall(r"<(input|select|textarea) ", "".join(pages[1]))) > 3, url


def test_a_widget_without_the_data_django_gives_is_left_to_the_templates():
    class Bare(forms.Widget):  # a text box's template, without the "type" every input widget has
        template_name = "django/forms/widgets/text.html"

    assert Bare().render("x", "y", renderer=PLAIN) == Bare().render("x", "y", renderer=STOCK) == \
        '<input type="" name="x" value="y">'


# The templates this module writes out, as Django 6.1 has them: a Django that changes one of them
# fails here, and the writer is compared with the new template before this hash is changed.
COPIED = ["input", "attrs", "input_option", "radio_option", "checkbox_option", "select", "select_option", "textarea",
          "text", "number", "email", "url", "password", "hidden", "date", "time", "datetime", "search", "tel", "color",
          "checkbox"]


def test_the_templates_written_out_are_the_ones_this_django_has():
    folder = Path(django.__file__).parent / "forms/templates/django/forms/widgets"
    assert {f"django/forms/widgets/{name}.html" for name in COPIED} >= set(widgets.WRITERS)
    sources = "".join((folder / f"{name}.html").read_text() for name in COPIED)
    assert hashlib.sha256(sources.encode()).hexdigest() == "3212aaadbdb8c9a7c85f3b9079a583765071a1bd3a55b97c132d11209e57586d"
