"""The form renderer (parcours/renderers.py) writes the same HTML as Django's widget templates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from parcours.renderers import FormRenderer

DJANGO = DjangoTemplates()
OURS = FormRenderer()


class Everything(forms.Form):
    text = forms.CharField(
        label="Nom <b>",
        widget=forms.TextInput(attrs={"class": "a b", "placeholder": 'dit "x" & <y>'}),
    )
    optional = forms.CharField(required=False, help_text="Aide")
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(required=False)
    email = forms.EmailField()
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    agree = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "A & a"), ("b", mark_safe("<i>B</i>"))])
    grouped = forms.ChoiceField(
        choices=[("x", "X"), ("Groupe <1>", [("1", "Un"), ("2", "Deux")]), (3, Decimal("1.5"))]
    )
    many = forms.MultipleChoiceField(choices=[("1", "Un"), ("2", "Deux")], required=False)
    radio = forms.ChoiceField(choices=[("p", "Présent"), ("a", "Absent")], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(
        choices=[("1", "Un"), ("2", "Deux")], widget=forms.CheckboxSelectMultiple, required=False
    )
    notes = forms.CharField(widget=forms.Textarea, required=False)


DATA = {
    "text": "Élise <O'Brien> & co",
    "number": "12",
    "decimal": "1.25",
    "email": "x@example.org",
    "day": "2024-03-05",
    "agree": "on",
    "secret": "s3cret",
    "choice": "b",
    "grouped": "2",
    "many": ["2"],
    "radio": "a",
    "boxes": ["1", "2"],
    "notes": "<script>",
}


def _pages(form: forms.Form) -> list[str]:
    html = []
    for field in form:
        html.append(str(field))
        html.extend(str(option.tag()) for option in field.subwidgets)
        html.extend(str(option) for option in field.subwidgets)
    return html


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": DATA},
        {"data": {}},
        {"initial": {"day": datetime.date(2024, 1, 2), "number": 1500, "decimal": Decimal("2.5")}},
    ],
)
def test_same_html_as_django_templates(kwargs):
    assert settings.FORM_RENDERER == "parcours.renderers.FormRenderer"
    ours = _pages(Everything(renderer=OURS, **kwargs))
    theirs = _pages(Everything(renderer=DJANGO, **kwargs))
    assert ours == theirs
    assert str(Everything(renderer=OURS, **kwargs)) == str(Everything(renderer=DJANGO, **kwargs))


def test_the_project_forms_render_as_with_django_templates(db):
    """A few of the project's own forms (the trainee list's filter, the attendance sheet)."""
    from parcours.pathways.forms import trainees
    from parcours.schedule.forms.attendance import AttendanceSheetForm

    classes = [
        getattr(trainees, name)
        for name in dir(trainees)
        if isinstance(getattr(trainees, name), type)
        and issubclass(getattr(trainees, name), forms.Form)
        and getattr(trainees, name).__module__ == trainees.__name__
    ]
    rendered = 0
    for form_class in classes:
        try:
            ours, theirs = form_class(renderer=OURS), form_class(renderer=DJANGO)
        except TypeError:  # needs arguments
            continue
        assert _pages(ours) == _pages(theirs)
        rendered += 1
    sheet_ours = AttendanceSheetForm(rows=[], renderer=OURS)
    sheet_theirs = AttendanceSheetForm(rows=[], renderer=DJANGO)
    assert _pages(sheet_ours) == _pages(sheet_theirs)
