"""The tools of the proof detect what they must (a detector that sees nothing proves nothing)."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.http import HttpResponse

from parcours.organisations.models import Site

from ..factories import SiteFactory
from .probe import WriteDetector, body_text, parse_forms

pytestmark = pytest.mark.django_db


def test_the_write_detector_sees_inserts_updates_and_deletes(world):
    with WriteDetector() as writes:
        site = SiteFactory(school=world.school, name="Site Gamma")
    assert writes.tables() == ["organisations_site"]
    with WriteDetector() as writes:
        Site.objects.filter(pk=site.pk).update(name="Site Delta")
    assert writes.tables() == ["organisations_site"]
    with WriteDetector() as writes:
        Site.objects.filter(pk=site.pk).delete()
    assert "organisations_site" in writes.tables()
    client = world.client_for("director")
    with WriteDetector() as writes:
        Site.objects.filter(pk=-1).update(name="personne")  # no row changed
        client.get("/")  # the session alone
    assert writes.rows == []


def test_the_write_detector_forgets_what_a_savepoint_undid(world):
    with WriteDetector() as writes, transaction.atomic():
        SiteFactory(school=world.school, name="Site Gamma")
        transaction.set_rollback(True)
    assert writes.rows == []


def test_body_text_reads_xlsx_and_pdf():
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "MARQUEUR-XLSX & co"
    buffer = io.BytesIO()
    book.save(buffer)
    assert "MARQUEUR-XLSX & co" in body_text(HttpResponse(buffer.getvalue()))
    from weasyprint import HTML  # the product's PDF engine (parcours/pdf.py)

    pdf = HTML(string="<p>MARQUEUR-PDF Élodie</p>").write_pdf()
    assert "MARQUEUR-PDF Élodie" in body_text(HttpResponse(pdf))


def test_parse_forms_keeps_what_a_browser_sends():
    page = """<form method="post" action="/x/"><input type="hidden" name="csrfmiddlewaretoken"
    value="t"><input name="a" value="1"><input type="checkbox" name="c" value="y" checked>
    <input type="checkbox" name="d" value="z"><select name="s"><option value="">--</option>
    <option value="2" selected>deux</option></select><textarea name="t">
texte</textarea><input type="file" name="f"><button type="submit">OK</button></form>
    <form method="get"><input name="q"></form>"""
    (form,) = parse_forms(page, "/page/")
    assert form.action == "/x/"
    assert form.fields == [
        ("csrfmiddlewaretoken", "t"),
        ("a", "1"),
        ("c", "y"),
        ("s", "2"),
        ("t", "texte"),
    ]
    assert form.files == ["f"] and form.options["s"] == ["", "2"]
