"""The upload form of the import page: a .csv or .xlsx file, not empty, not too large.

The file's content is the import service's to check (in the background, with a report by row
and column); this form refuses only what cannot be a spreadsheet to import.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .services import ACCEPTED_EXTENSIONS, MAX_FILE_BYTES


def _extensions() -> list[str]:
    return sorted(ext if ext.startswith(".") else f".{ext}" for ext in ACCEPTED_EXTENSIONS)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier à importer"),
        error_messages={
            "required": _("Choisissez le fichier à importer."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Le fichier n'a pas pu être lu : déposez-le à nouveau."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(_extensions())}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Un fichier %(extensions)s de %(size)s au plus, avec une ligne d'en-tête "
            "aux noms de colonnes ci-dessous."
        ) % {"extensions": " ou ".join(_extensions()), "size": filesizeformat(MAX_FILE_BYTES)}

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if Path(uploaded.name or "").suffix.lower() not in _extensions():
            raise forms.ValidationError(
                _("Ce type de fichier n'est pas accepté : déposez un fichier %(extensions)s.")
                % {"extensions": " ou ".join(_extensions())}
            )
        if uploaded.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Le fichier est trop volumineux (%(size)s au plus).")
                % {"size": filesizeformat(MAX_FILE_BYTES)}
            )
        if uploaded.size == 0:
            raise forms.ValidationError(_("Le fichier est vide."))
        return uploaded
