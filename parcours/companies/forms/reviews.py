"""Forms of the tutor review: the review itself (public page and staff entry) and the link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Rating, TutorReview, WouldHire
from ..selectors_reviews import CompetencyChoice

NOT_OBSERVED = _("Non observée")


class ReviewForm(forms.Form):
    """The review: ratings, tasks, would hire, comments, the reviewer's name, and one optional
    level per competency offered (``competencies``: goals of the internship first)."""

    punctuality = forms.TypedChoiceField(
        label=_("Ponctualité et assiduité"),
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une appréciation pour la ponctualité.")},
    )
    attitude = forms.TypedChoiceField(
        label=_("Savoir-être (attitude, relations avec l'équipe)"),
        choices=Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez une appréciation pour le savoir-être.")},
    )
    tasks_mastered = forms.CharField(
        label=_("Tâches maîtrisées"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que le ou la stagiaire sait faire seul·e à la fin du stage."),
        error_messages={"required": _("Indiquez les tâches maîtrisées.")},
    )
    would_hire = forms.ChoiceField(
        label=_("Embaucheriez-vous ce ou cette stagiaire ?"),
        choices=WouldHire.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Dites si vous embaucheriez ce ou cette stagiaire.")},
    )
    comments = forms.CharField(
        label=_("Commentaires"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reviewer_name = forms.CharField(
        label=_("Votre nom"),
        max_length=200,
        error_messages={"required": _("Indiquez le nom de la personne qui remplit le bilan.")},
    )

    def __init__(self, *args: Any, competencies: list[CompetencyChoice], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.competency_choices = competencies
        for item in competencies:
            self.fields[item.field_name] = forms.TypedChoiceField(
                label=str(item.competency),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", NOT_OBSERVED)]
                + [(value, f"{value} — {label}") for value, label, _text in item.levels],
                widget=forms.RadioSelect,
                initial="",
            )

    @classmethod
    def initial_from(cls, review: TutorReview) -> dict:
        initial = {
            "punctuality": review.punctuality,
            "attitude": review.attitude,
            "tasks_mastered": review.tasks_mastered,
            "would_hire": review.would_hire,
            "comments": review.comments,
            "reviewer_name": review.reviewer_name,
        }
        for row in review.competencies.all():
            initial[f"competency_{row.competency_id}"] = row.level
        return initial

    def competency_rows(self) -> list[dict]:
        """Per competency: the choice, its bound field and its options as (radio, descriptor)
        pairs (the first option is "not observed", without descriptor)."""
        rows = []
        for item in self.competency_choices:
            field = self[item.field_name]
            descriptors = [""] + [text for _value, _label, text in item.levels]
            options = list(zip(field, descriptors, strict=False))
            rows.append({"item": item, "field": field, "options": options})
        return rows

    def goal_rows(self) -> list[dict]:
        return [row for row in self.competency_rows() if row["item"].is_goal]

    def other_rows(self) -> list[dict]:
        return [row for row in self.competency_rows() if not row["item"].is_goal]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "punctuality": data["punctuality"],
            "attitude": data["attitude"],
            "tasks_mastered": data["tasks_mastered"],
            "would_hire": data["would_hire"],
            "comments": data.get("comments", ""),
            "reviewer_name": data["reviewer_name"],
            "levels": {
                item.competency.pk: data.get(item.field_name)
                for item in self.competency_choices
                if data.get(item.field_name) is not None
            },
        }


class SendLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du ou de la tuteur·rice"),
        required=False,
        help_text=_("Laissez vide pour utiliser l'adresse de sa fiche contact."),
        error_messages={"invalid": _("Saisissez une adresse e-mail valide.")},
    )
