"""The document upload form, and the upload handler that stops an oversized file early.

Django streams a large upload to a temporary file before the view runs; the handler below
drops a file as soon as it passes the size limit, so a 200 MB upload costs neither memory nor
200 MB of disk, and the form then says why in French.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import DocumentKind


def size_limit_message() -> str:
    return _("Le fichier dépasse la taille maximale de 10 Mo.")


class SizeLimitUploadHandler(FileUploadHandler):
    """First in the chain: passes chunks on, and skips a file once it exceeds ``max_bytes``.

    The names of the skipped fields are kept in ``request.oversize_uploads``.
    """

    def __init__(self, request, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = max_bytes or services.MAX_DOCUMENT_BYTES
        request.oversize_uploads = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.request.oversize_uploads.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type de document"),
        error_messages={"invalid_choice": _("Choisissez un type de document de la liste.")},
    )
    title = forms.CharField(
        label=_("Intitulé"),
        max_length=200,
        required=False,
        help_text=_("Facultatif : le nom du fichier est repris s'il est vide."),
    )
    document_date = forms.DateField(label=_("Date du document"), required=False, widget=DateInput())
    file = forms.FileField(
        label=_("Fichier"),
        max_length=255,
        help_text=_("PDF, JPEG, PNG, DOCX ou ODT, 10 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,.docx,.odt,application/pdf,image/jpeg,image/png,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                "application/vnd.oasis.opendocument.text"
            }
        ),
        error_messages={
            "required": _("Choisissez le fichier à déposer."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été reçu : vérifiez le formulaire."),
            "max_length": _("Le nom du fichier est trop long (255 caractères au plus)."),
        },
    )

    def __init__(self, *args, may_read_restricted: bool, oversize: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Health documents are not even offered to whoever may not read them.
        self.fields["kind"].choices = [("", _("— choisir un type —"))] + [
            (kind.value, kind.label)
            for kind in DocumentKind
            if may_read_restricted or kind != DocumentKind.HEALTH
        ]
        if oversize:  # the upload handler dropped the file: say why
            self.fields["file"].error_messages["required"] = size_limit_message()

    def clean_document_date(self) -> datetime.date | None:
        day = self.cleaned_data["document_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("La date du document ne peut pas être dans le futur."))
        return day

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            services.check_upload(uploaded)  # size first, then the first bytes only
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return uploaded

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "uploaded": data["file"],
            "kind": data["kind"],
            "title": data["title"].strip(),
            "document_date": data["document_date"],
        }
