"""The director's audit trail: access, filters, scoping, pagination, export, read-only admin."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from parcours.audit.admin import AuditEventAdmin
from parcours.audit.labels import FAMILIES, action_label, family_of
from parcours.audit.models import AuditEvent
from parcours.audit.services import record_event
from tests.export_checks import xlsx_rows
from tests.factories import UserFactory
from tests.utils import login_client, page_text

URL = reverse("audit:trail", args=["e2c-alpha"])
EXPORT = reverse("audit:trail_export", args=["e2c-alpha"])


def _event(world, *, action="exit.record", actor=None, target=None, ip="10.0.0.7", **kw):
    return record_event(
        actor=actor if actor is not None else world.members["referent"].user,
        action=action,
        target=target if target is not None else world.objects["enrolment"],
        school=kw.pop("school", world.school),
        changes=kw.pop("changes", {"enrolment": world.objects["enrolment"].pk}),
        ip_address=ip,
    )


def _at(event: AuditEvent, when: datetime.datetime) -> None:
    """Date an event in the past (the queryset refuses updates: go below it)."""
    from django.db.models.query import QuerySet

    QuerySet.update(AuditEvent.objects.filter(pk=event.pk), created_at=when)


# ------------------------------------------------------------------------------ access


def test_director_reads_the_trail_referent_is_refused_outsider_gets_404(world):
    _event(world)
    assert world.client_for("director").get(URL).status_code == 200
    assert world.client_for("referent").get(URL).status_code == 403
    assert world.client_for("outsider").get(URL).status_code == 404
    assert world.client_for("referent").get(EXPORT).status_code == 403
    assert world.client_for("outsider").get(EXPORT).status_code == 404
    anonymous = world.client_for("anonymous").get(URL)
    assert anonymous.status_code == 302


def test_the_row_shows_date_author_label_record_link_address_and_details(world):
    enrolment = world.objects["enrolment"]
    event = _event(world, changes={"enrolment": enrolment.pk, "destination": ["", "cdi"]})
    response = world.client_for("director").get(URL)
    text = page_text(response)
    assert timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M") in text
    assert world.members["referent"].user.get_full_name() in text
    assert "Sorties et suivis — enregistrement" in text
    trainee_url = reverse("pathways:trainee", args=["e2c-alpha", enrolment.pk])
    assert f'href="{trainee_url}">parcours n° {enrolment.pk}</a>' in text
    assert "10.0.0.7" in text
    assert "destination</span> : — → cdi" in text


def test_an_event_without_author_is_shown_as_system(world):
    record_event(actor=None, action="exit_follow_up.create", school=world.school)
    text = page_text(world.client_for("director").get(URL))
    assert "Système" in text


def test_details_are_escaped(world):
    _event(world, changes={"x": "<script>alert(1)</script>"})
    body = world.client_for("director").get(URL).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_events_of_another_school_never_appear(world):
    _event(world, action="exit.record", ip="10.0.0.1")
    record_event(
        actor=world.outsider.user,
        action="exit.record",
        target=world.others["enrolment"],
        ip_address="10.9.9.9",
    )
    text = page_text(world.client_for("director").get(URL))
    assert "10.0.0.1" in text
    assert "10.9.9.9" not in text
    # Not through a filter either: the other school's author and record are unknown here.
    response = world.client_for("director").get(
        URL, {"auteur": world.outsider.user.pk, "numero": world.others["enrolment"].pk}
    )
    assert response.status_code == 400
    assert "Auteur inconnu." in page_text(response)
    response = world.client_for("director").get(URL, {"adresse": "10.9.9.9"})
    assert "Aucun événement ne correspond à ces filtres." in page_text(response)


# ------------------------------------------------------------------------------ filters


def test_filters_by_family_author_type_number_and_address(world):
    director = world.members["director"].user
    health = _event(world, action="restricted.read.support", ip="10.0.0.2")
    share = _event(world, action="restricted.share", ip="10.0.0.3")
    exit_ = _event(world, action="exit.record", actor=director, ip="10.0.0.4")
    mark = _event(
        world, action="attendance.mark_day", target=world.objects["person"], ip="10.0.0.5"
    )
    client = world.client_for("director")

    def shown(**params):
        text = page_text(client.get(URL, params))
        return {ip for ip in ("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5") if ip in text}

    assert shown(action="restricted_read") == {"10.0.0.2"}
    assert shown(action="restricted_share") == {"10.0.0.3"}
    assert shown(action="attendance") == {"10.0.0.5"}
    assert shown(auteur=director.pk) == {"10.0.0.4"}
    assert shown(type="people.person") == {"10.0.0.5"}
    assert shown(numero=f"n° {health.object_id}", type="pathways.enrolment") == {
        "10.0.0.2",
        "10.0.0.3",
        "10.0.0.4",
    }
    assert shown(adresse="10.0.0.3") == {"10.0.0.3"}
    assert share.pk and exit_.pk and mark.pk


def test_period_filter_accepts_french_dates_and_refuses_nonsense(world):
    old = _event(world, ip="10.0.0.8")
    _at(old, timezone.make_aware(datetime.datetime(2024, 3, 10, 12)))
    _event(world, ip="10.0.0.9")
    client = world.client_for("director")
    text = page_text(client.get(URL, {"du": "01/03/2024", "au": "31/03/2024"}))
    assert "10.0.0.8" in text and "10.0.0.9" not in text
    text = page_text(client.get(URL, {"du": "2024-03-11"}))
    assert "10.0.0.8" not in text and "10.0.0.9" in text
    response = client.get(URL, {"du": "32/13/2024"})
    assert response.status_code == 400
    assert "Date de début invalide (jj/mm/aaaa)." in page_text(response)
    response = client.get(URL, {"du": "10/03/2024", "au": "01/03/2024"})
    assert "La fin de la période précède son début." in page_text(response)
    response = client.get(URL, {"adresse": "pas une adresse"})
    assert "Adresse IP invalide." in page_text(response)
    response = client.get(URL, {"action": "nimporte"})
    assert "Famille d'actions inconnue." in page_text(response)


def test_newest_first_fifty_per_page_constant_queries(world, django_assert_max_num_queries):
    client = world.client_for("director")
    for i in range(3):
        _event(world, ip=f"10.0.1.{i}")
    with django_assert_max_num_queries(40) as few:
        client.get(URL)
    baseline = len(few.captured_queries)
    users = [UserFactory() for _ in range(5)]
    for i in range(120):
        _event(world, actor=users[i % 5], ip=f"10.0.2.{i}")
    with django_assert_max_num_queries(baseline) as many:
        response = client.get(URL)
    assert len(many.captured_queries) == baseline
    text = page_text(response)
    assert "123 événements" in text
    assert "Page 1 sur 3" in text
    assert text.index("10.0.2.119") < text.index("10.0.2.100")
    assert "10.0.1.0" not in text
    assert "10.0.1.0" in page_text(client.get(URL, {"page": 3}))


# ------------------------------------------------------------------------------ export


def test_export_writes_the_filtered_rows_and_is_itself_audited(world):
    _event(world, action="restricted.read.support", ip="10.0.0.2")
    _event(world, action="exit.record", ip="10.0.0.4")
    response = world.client_for("director").get(EXPORT, {"action": "restricted_read"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="journal-audit-e2c-alpha-'
    )
    rows = xlsx_rows(response)
    assert rows[0][:4] == ("Date", "Auteur", "Action", "Code de l'action")
    assert len(rows) == 2
    assert rows[1][3] == "restricted.read.support"
    assert rows[1][7] == "10.0.0.2"
    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor == world.members["director"].user
    assert event.school == world.school
    assert event.changes == {"rows": 1, "format": "xlsx", "filters": {"action": "restricted_read"}}
    assert event.ip_address == "127.0.0.1"


def test_export_with_refused_filters_exports_nothing(world):
    response = world.client_for("director").get(EXPORT, {"du": "demain"})
    assert response.status_code == 400
    assert "rien n'a été exporté" in page_text(response)
    assert not AuditEvent.objects.filter(action="audit.export").exists()


# ------------------------------------------------------------------------------ read-only


def test_no_url_edits_or_deletes_an_event():
    """Walk every URL of the product: the only views of the audit app are the two reads."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                yield from walk(
                    pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace
                )
            elif isinstance(pattern, URLPattern):
                yield namespace + (pattern.name or ""), pattern.callback

    audit_views = {
        name
        for name, view in walk(get_resolver().url_patterns)
        if getattr(view, "__module__", "").startswith("parcours.audit")
    }
    assert audit_views == {"audit:trail", "audit:trail_export"}


@pytest.mark.django_db
def test_admin_is_read_only_even_for_a_superuser():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEvent]
    assert isinstance(model_admin, AuditEventAdmin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.get_actions(request) == {}


def test_admin_pages_refuse_changes_for_a_superuser(world, client):
    superuser = UserFactory(is_superuser=True, is_staff=True, email="root@example.org")
    event = _event(world)
    login_client(client, superuser)
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    response = client.post(change, {"action": "forged"})
    assert response.status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.action == "exit.record"


# ------------------------------------------------------------------------------ labels


def test_every_family_has_its_label_and_unknown_codes_show_as_is():
    assert family_of("restricted.read.support").key == "restricted_read"
    assert family_of("restricted.share").key == "restricted_share"
    assert family_of("enrolment.create").key == "intake"
    assert family_of("enrolment.phase").key == "pathways"
    assert action_label("restricted.read.support") == (
        "Lecture de contenu restreint — accompagnement"
    )
    assert action_label("zzz.unknown") == "zzz.unknown"
    assert len({f.key for f in FAMILIES}) == len(FAMILIES)


def test_every_action_written_by_the_code_has_a_family():
    """Each ``action="…"`` literal of the product falls in a family of the journal's filter."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "parcours"
    literal = re.compile(r'action=f?"([a-z_]+\.[a-z_.{}\' ]*)')
    codes = {
        match.group(1).split("{")[0]
        for path in root.rglob("*.py")
        for match in literal.finditer(path.read_text(encoding="utf-8"))
    }
    assert len(codes) > 50
    assert {code for code in codes if family_of(code) is None} == set()
    # Each whole code (not built at run time) is said in French, not shown as is.
    whole = {code for code in codes if not code.endswith(".")}
    assert {code for code in whole if "—" not in str(action_label(code))} == set()
    assert {code for code in whole if code in str(action_label(code))} == set()
