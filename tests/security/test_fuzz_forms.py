"""Hostile input at every form of the product (hypothesis).

The forms are found, not listed: every URL is read by every role (and anonymously) that may,
and every ``<form method="post">`` posting inside the project is kept, with its fields (hidden
ones and the CSRF token included). One test per URL name: for each form posting to it,
hypothesis sends a few payloads mixing the page's own values with oversized strings, wrong
types, HTML/script, SQL fragments, unicode oddities, empty and repeated values, missing fields
and garbage files (``PARCOURS_FUZZ_EXAMPLES`` sets how many per form). Whatever comes in:

- never a 5xx;
- never the script/HTML payload raw in an HTML answer;
- when the form is refused (4xx, or the page shows errors), nothing written.
"""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..test_url_access import project_urls
from .conftest import form_catalogue
from .probe import Form, WriteDetector, parse_forms, url_for

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
#: What must never come back as is in an HTML page.
RAW = ("<script>alert(1)", "<img src=x onerror=alert(1)>")

HOSTILE = [
    "x" * 100_000,
    "abc",
    "12abc",
    "9" * 40,
    "-1",
    "-99999999999999999999",
    "1,5",
    "3.14",
    "1e309",
    "NaN",
    SCRIPT,
    IMG,
    "' OR 1=1 --",
    "'; DROP TABLE people_person; --",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "e\u0301\u0302\u0303\u0304",
    "😀🏳️‍🌈",
    "\ufeff",
    " ",
    "",
    "31/02/2024",
    "2024-13-45",
    "99/99/9999",
    "0001-01-01",
    "null",
    '{"a":',
    "[]",
]
MISSING = object()
#: Examples per form: a few in the suite; ``PARCOURS_FUZZ_EXAMPLES=100`` for a deeper hunt.
EXAMPLES = int(os.environ.get("PARCOURS_FUZZ_EXAMPLES", "6"))
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)

FILES = [
    ("garbage.pdf", bytes(range(256)) * 40, "application/pdf"),
    ("vide.pdf", b"", "application/pdf"),
    ("n" * 300 + ".pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
    ("page.pdf", f"<html>{SCRIPT}</html>".encode(), "text/html"),
]


def _value(default: str):
    return st.one_of(
        st.just(default),
        st.sampled_from(HOSTILE),
        TEXT,
        st.just(MISSING),
        st.lists(st.sampled_from([default, *HOSTILE[1:]]), min_size=2, max_size=3),
    )


@st.composite
def payloads(draw, form: Form) -> dict:
    data: dict = {}
    defaults: dict[str, str] = {}
    for name, value in form.fields:
        defaults.setdefault(name, value)
    for name in dict.fromkeys([*defaults, *form.options]):
        if name == "csrfmiddlewaretoken":
            data[name] = defaults[name]
            continue
        default = defaults.get(name) or next(iter(form.options.get(name, [])), "")
        value = draw(_value(default))
        if value is not MISSING:
            data[name] = value
    # A field the form does not know, with hostile content (and forms with a lone button
    # still get varied payloads).
    data["champ_inconnu"] = draw(st.sampled_from(HOSTILE))
    for name in form.files:
        choice = draw(st.sampled_from([*FILES, None]))
        if choice:
            data[name] = SimpleUploadedFile(*choice)
    return data


_TARGETS: dict[str, list[tuple[str, str]]] = {}  # URL name → (who, page) holding its forms


def _forms_for(world, target: str) -> list[tuple[str, Form]]:
    if not _TARGETS:
        for name, found in form_catalogue(world).items():
            _TARGETS[name] = [(form.who, form.page) for form in found]
    by_name = {pattern.name: pattern for pattern in project_urls()}
    forms = []
    for who, page in _TARGETS.get(target, []):
        path = url_for(world, by_name[page])
        response = world.client_for(who).get(path)
        assert response.status_code == 200, f"{who} GET {path}"
        forms += [
            (who, form)
            for form in parse_forms(response.content.decode(), path)
            if form.target() == target
        ]
    return forms


def test_the_discovery_finds_the_forms(world):
    forms = form_catalogue(world)
    _TARGETS.update({name: [(f.who, f.page) for f in found] for name, found in forms.items()})
    print(f"{len(forms)} URLs receive a form")
    assert len(forms) >= 80
    for public in ("accounts:login", "agenda:register", "agenda:registration"):
        assert public in forms, public


#: How a page says the input was refused (the field errors and the error message).
ERROR_MARKUP = ("form-errors", "field-invalid", "row-invalid", "errorlist", "message-error")


def _refused(response) -> bool:
    """4xx, or a page showing errors. A redirect is a success, and so is a 200 without any
    error (a few views answer a success with a page, e.g. new backup codes shown once)."""
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or response.streaming:
        return False
    content = response.content.decode("utf-8", "replace")
    return any(marker in content for marker in ERROR_MARKUP)


def _fuzz(client, who: str, form: Form) -> list[int]:
    """Posts hostile payloads to ``form``; returns the statuses it got."""
    client.raise_request_exception = False
    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=payloads(form))
    def fuzz(data):
        with WriteDetector() as writes:
            response = client.post(form.action, data)
        status = response.status_code
        statuses.append(status)
        assert status < 500, f"{who} POST {form.action}: {status}"
        if "html" in response.get("Content-Type", "") and not response.streaming:
            content = response.content.decode("utf-8", "replace")
            for raw in RAW:
                assert raw not in content, f"{who} POST {form.action} echoes {raw!r}"
        if _refused(response):
            assert not writes.rows, f"{who} POST {form.action} {status} wrote {writes.tables()}"

    fuzz()
    assert len(statuses) >= min(5, EXAMPLES), f"{form.action}: only {len(statuses)} posts"
    return statuses


@pytest.mark.parametrize("name", [pattern.name for pattern in project_urls()])
def test_fuzz_form(world, name):
    found = _forms_for(world, name)
    if not found:
        pytest.skip("no form posts to this URL")
    for who, form in found:
        statuses = _fuzz(world.client_for(who), who, form)
        print(name, who, statuses)


def test_fuzz_the_tutor_review_page(world):
    """The tutor's public page needs a live link (the world's one is used up)."""
    from django.core import mail
    from django.test import Client

    from parcours.companies import services_reviews

    from ..companies.review_helpers import recent_internship, token_from

    internship = recent_internship(world)
    services_reviews.send_tutor_link(
        membership=world.members["company_relations"], internship=internship
    )
    path = reverse("tutor_review:form", args=[token_from(mail.outbox[-1])])
    client = Client()
    response = client.get(path)
    assert response.status_code == 200
    (form,) = [f for f in parse_forms(response.content.decode(), path) if f.target()]
    assert len(form.names) > 5
    _fuzz(client, "anonymous", form)
