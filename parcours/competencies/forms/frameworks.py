"""Forms of the framework screens: import, a draft's header and scale, its areas and competencies.

The rules (draft only, unique codes, no cycle among areas) are the services'; these forms only
shape the input.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from ..interchange import MAX_CODE, MAX_LABEL, MAX_NAME, MAX_TITLE
from ..models import Area, Framework

MAX_IMPORT_SIZE = 5 * 1024 * 1024
IMPORT_KINDS = {".json": "json", ".xlsx": "xlsx"}


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier du référentiel"),
        help_text=_(
            "Un fichier .json ou .xlsx au format d'export de Parcours (5 Mo au plus). "
            "Le référentiel importé devient un brouillon de votre école."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xlsx"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        kind = IMPORT_KINDS.get(Path(uploaded.name or "").suffix.lower())
        if kind is None:
            raise forms.ValidationError(
                _("Format de fichier non reconnu : déposez un fichier .json ou .xlsx.")
            )
        if uploaded.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo."))
        uploaded.kind = kind
        return uploaded


class FrameworkEditForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=MAX_NAME)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, framework: Framework, levels, **kwargs):
        initial = {"name": framework.name, "description": framework.description}
        for level in levels:
            initial[f"level_{level.value}_label"] = level.label
            initial[f"level_{level.value}_description"] = level.description
        super().__init__(*args, initial=initial, **kwargs)
        self.level_values = [level.value for level in levels]
        for level in levels:
            self.fields[f"level_{level.value}_label"] = forms.CharField(
                label=_("Niveau %(n)s : libellé") % {"n": level.value}, max_length=MAX_LABEL
            )
            self.fields[f"level_{level.value}_description"] = forms.CharField(
                label=_("Niveau %(n)s : description") % {"n": level.value},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def scale(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            n: (data[f"level_{n}_label"], data[f"level_{n}_description"]) for n in self.level_values
        }


class AreaForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=MAX_CODE)
    title = forms.CharField(label=_("Intitulé"), max_length=MAX_TITLE)
    parent = forms.ModelChoiceField(
        label=_("Domaine parent"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("(aucun : domaine de premier niveau)"),
    )

    def __init__(self, *args, framework: Framework, area: Area | None = None, **kwargs):
        if area is not None:
            kwargs["initial"] = {"code": area.code, "title": area.title, "parent": area.parent_id}
        super().__init__(*args, **kwargs)
        parents = Area.objects.filter(framework=framework).order_by("position", "code")
        if area is not None:
            parents = parents.exclude(pk=area.pk)
        self.fields["parent"].queryset = parents


class CompetencyForm(forms.Form):
    area = forms.ModelChoiceField(
        label=_("Domaine"),
        queryset=Area.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez un domaine de la liste.")},
    )
    code = forms.CharField(label=_("Code"), max_length=MAX_CODE)
    title = forms.CharField(label=_("Intitulé"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, framework: Framework, levels, competency=None, **kwargs):
        if competency is not None:
            initial = {
                "area": competency.area_id,
                "code": competency.code,
                "title": competency.title,
                "description": competency.description,
            }
            for descriptor in competency.descriptors.all():
                initial[f"level_{descriptor.value}"] = descriptor.description
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(framework=framework).order_by(
            "position", "code"
        )
        self.level_values = [level.value for level in levels]
        for level in levels:
            self.fields[f"level_{level.value}"] = forms.CharField(
                label=_("Niveau %(n)s — %(label)s : ce que l'on observe")
                % {"n": level.value, "label": level.label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Obligatoire pour publier la version."),
            )

    def levels(self) -> dict[int, str]:
        return {n: self.cleaned_data[f"level_{n}"] for n in self.level_values}
