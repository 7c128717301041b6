"""The form renderer: Django's, with its simplest widget templates written in Python.

Django renders every widget, every radio button and every ``<option>`` through a template
(``django/forms/widgets/*.html``). A form of a few dozen fields (an attendance sheet: a row of
radio buttons and a select per trainee; a list's filter form) then costs several milliseconds
of template rendering per page (issue 12). :class:`FormRenderer` builds the same HTML — the same
characters, see ``tests/test_renderers.py`` — directly for the plain ``<input>``, radio and
checkbox options and ``<select>``; any other template (and any context with more than the
widget) goes to Django's templates as before.

Set by ``FORM_RENDERER = "parcours.renderers.FormRenderer"`` (parcours/settings.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_W = "django/forms/widgets/"


def _text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: ``str`` then escaped (unless already safe)."""
    if isinstance(value, SafeString):
        return str(value)
    return str(conditional_escape(str(value)))


def _var(value: Any) -> str:
    """``{{ value }}``: localized, then escaped (unless already safe)."""
    return str(conditional_escape(localize(value)))


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_var(name)}")
        else:
            parts.append(f' {_var(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/input.html`` (its file ends with a newline)."""
    value = widget["value"]
    shown = f' value="{_text(value)}"' if value is not None else ""
    return (
        f'<input type="{_var(widget["type"])}" '
        f'name="{_var(widget["name"])}"{shown}{_attrs(widget["attrs"])}>\n'
    )


def _input_option(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/input_option.html`` (radio and checkbox options)."""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_id = widget["attrs"].get("id")
    for_id = f' for="{_var(label_id)}"' if label_id else ""
    return f"<label{for_id}>{_input(widget)} {_var(widget['label'])}</label>\n"


def _select_option(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/select_option.html``."""
    return (
        f'<option value="{_text(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_var(widget['label'])}</option>\n"
    )


def _select(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/select.html``, its options through their own template."""
    parts = [f'<select name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_var(group_name)}">')
        for option in group_choices:
            parts.append("\n  ")
            build = _OPTIONS.get(option["template_name"])
            if build is None:
                return ""  # an unusual option: the whole select goes to the templates
            parts.append(build(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


_OPTIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    _W + "select_option.html": _select_option,
    _W + "radio_option.html": _input_option,
    _W + "checkbox_option.html": _input_option,
    _W + "input_option.html": _input_option,
}

#: Templates written in Python: they only read the ``widget`` of the context.
BUILDERS: dict[str, Callable[[dict[str, Any]], str]] = {
    **_OPTIONS,
    **{
        _W + name: _input
        for name in (
            "input.html",
            "checkbox.html",
            "text.html",
            "number.html",
            "email.html",
            "url.html",
            "password.html",
            "hidden.html",
            "date.html",
            "datetime.html",
            "time.html",
            "search.html",
            "tel.html",
            "color.html",
        )
    },
    _W + "select.html": _select,
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        build = BUILDERS.get(template_name)
        if build is not None and context.keys() == {"widget"}:
            html = build(context["widget"])
            if html:
                # As ``BaseRenderer.render``: the template's output, stripped.
                return mark_safe(html.strip())  # noqa: S308 (every value escaped above)
        return super().render(template_name, context, request=request)
