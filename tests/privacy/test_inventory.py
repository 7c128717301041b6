"""The inventory of personal data covers every model that reaches a young person."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from parcours.privacy.inventory import HOLDINGS, NOT_PERSONAL

PERSON_MODELS = {"people.Person", "pathways.Enrolment"}
# Fields every row may have that say nothing about the person: ids, tenant, authors, stamps.
NEUTRAL = {"id", "school"}
STRUCTURE_APPS = {"accounts", "organisations"}
# company contacts (tutors, signatories) and links between rows of the inventory
STRUCTURE_MODELS = {
    "companies.Contact",
    "intake.Referral",
    "competencies.Attestation",
    "competencies.Assessment",
    "companies.Internship",
    "companies.TutorReview",
    "outcomes.Exit",
    "intake.InfoSession",
    "pathways.Plan",
}


def _reaches_person(model, depth: int = 0, seen=None) -> bool:
    if model._meta.label in PERSON_MODELS:
        return True
    if depth > 4:
        return False
    seen = seen or set()
    seen.add(model._meta.label)
    for field in model._meta.get_fields():
        if not field.concrete or not field.is_relation or field.related_model is None:
            continue
        if field.many_to_many:
            continue
        target = field.related_model
        if target._meta.label in seen or target._meta.app_label in {"accounts", "organisations"}:
            continue
        if _reaches_person(target, depth + 1, set(seen)):
            return True
    return False


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("parcours.")]


def test_every_model_reaching_a_person_is_in_the_inventory():
    covered = {h.model for h in HOLDINGS} | set(NOT_PERSONAL)
    missing = [
        m._meta.label
        for m in _project_models()
        if _reaches_person(m) and m._meta.label not in covered
    ]
    assert missing == [], (
        f"Add these models to parcours/privacy/inventory.py (HOLDINGS, or NOT_PERSONAL with "
        f"a reason): {missing}"
    )


def test_each_holding_names_real_fields_and_a_path_to_the_person():
    person = apps.get_model("people.Person")
    for h in HOLDINGS:
        model = h.model_class
        for name in (*h.erase, *h.files, *h.keep, *h.to_year, *h.tokens, *h.marked):
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:  # pragma: no cover - the assertion says which
                raise AssertionError(f"{h.model}.{name} does not exist") from None
        # the path resolves to a query on Person ids
        str(model._base_manager.filter(**{h.person_path: 1}).query)
        assert h.label
        if h.model != "people.Person":
            assert person in _related_chain(model, h.person_path), h.model


def _related_chain(model, path):
    models = [model]
    for part in path.split("__"):
        field = models[-1]._meta.get_field(part)
        models.append(field.related_model)
    return models


def test_every_data_field_of_a_holding_is_classified():
    """A new field on a model of the inventory must be classified (erased or kept)."""
    unclassified = []
    for h in HOLDINGS:
        if h.delete_rows:
            continue
        model = h.model_class
        classified = {*h.erase, *h.files, *h.keep, *h.to_year, *h.tokens, *h.marked, *NEUTRAL}
        classified |= {h.person_path.split("__")[0]}
        for field in model._meta.concrete_fields:
            if field.name in classified:
                continue
            if field.is_relation and field.related_model._meta.app_label in STRUCTURE_APPS:
                continue  # staff, sites, partners: the school's structure, not the person
            if field.is_relation and field.related_model._meta.label in STRUCTURE_MODELS:
                continue
            if field.get_internal_type() == "DateTimeField" and not field.editable:
                continue  # automatic stamps
            if field.name in ("created_at", "updated_at", "recorded_at", "size", "content_type"):
                continue
            if model._meta.label == "people.Person" and field.name in ("first_name", "last_name"):
                continue  # replaced by a placeholder
            unclassified.append(f"{h.model}.{field.name}")
    assert unclassified == [], ", ".join(unclassified)


def test_the_not_personal_list_gives_reasons():
    for label, reason in NOT_PERSONAL.items():
        apps.get_model(label)
        assert len(reason) > 10
