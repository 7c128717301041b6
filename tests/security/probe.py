"""Tools of the authorisation proof and the form fuzz: detect writes, read any response body,
find the forms of a page and build the URLs of the project with chosen objects.

- ``WriteDetector`` wraps the database connection (``connection.execute_wrapper``) and records
  every INSERT, UPDATE or DELETE that changed a row, forgetting those undone by a rollback to a
  savepoint: a refused request must leave it empty. It sees updates too (a row count would not)
  and costs nothing, so every request of the proof is checked.
- ``body_text`` turns HTML, JSON, CSV, iCalendar, XLSX (the sheets' XML) and PDF (pypdf's text)
  into searchable text.
- ``parse_forms`` lists the ``<form method="post">`` of a page with the values a browser would
  send as they are (``html.parser`` from the standard library).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.db import connection
from django.urls import Resolver404, resolve, reverse

from ..test_url_access import KWARG_OBJECTS, PK_OBJECTS, Url

#: Tables a refused request may still write: the session (saved on every request for the
#: inactivity timeout) and the login throttling's records of attempts.
IGNORED_TABLES = ("django_session", "axes_")

_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
_SAVEPOINT = re.compile(
    r'^\s*(SAVEPOINT|ROLLBACK TO SAVEPOINT|RELEASE SAVEPOINT)\s+"?(\w+)"?', re.I
)


class WriteDetector:
    """``with WriteDetector() as writes: client.post(...)`` then ``assert not writes.rows``."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, int, str]] = []  # (table, rows changed, statement start)
        self._savepoints: dict[str, int] = {}
        self._context = None

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if match := _SAVEPOINT.match(sql):
            verb, name = match.group(1).upper(), match.group(2)
            if verb == "SAVEPOINT":
                self._savepoints[name] = len(self.rows)
            elif verb.startswith("ROLLBACK") and name in self._savepoints:
                del self.rows[self._savepoints[name] :]
        elif match := _WRITE.match(sql):
            table = match.group(2)
            count = context["cursor"].rowcount
            if match.group(1).upper().startswith("INSERT"):
                count = max(count, 1)  # INSERT … RETURNING: counted only once rows are fetched
            if count != 0 and not table.startswith(IGNORED_TABLES):
                self.rows.append((table, count, sql[:100]))
        return result

    def __enter__(self) -> WriteDetector:
        self._context = connection.execute_wrapper(self)
        self._context.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._context.__exit__(*exc)

    def tables(self) -> list[str]:
        return sorted({table for table, _, _ in self.rows})


# ------------------------------------------------------------------------- response bodies


def raw_body(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response once consumed; closing it again would send
        # request_finished with the connection handler listening, which closes the database
        # connection (harmless on SQLite's in-memory database, fatal on PostgreSQL).
        return b"".join(response.streaming_content)
    return response.content


def body_text(response) -> str:
    """The searchable text of a response, whatever its format."""
    content = raw_body(response)
    if content.startswith(b"PK\x03\x04"):  # XLSX (or any zip): every XML part
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = [
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith((".xml", ".rels", ".json", ".csv", ".txt"))
            ]
        return html.unescape("\n".join(parts))
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        raw = content.decode("latin-1")  # an uploaded file is served as it was stored
        try:
            reader = PdfReader(io.BytesIO(content))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        except PdfReadError:
            return raw
        info = reader.metadata or {}
        return "\n".join([text, *(str(value) for value in info.values()), raw])
    return html.unescape(content.decode("utf-8", "replace"))


# ------------------------------------------------------------------------------- forms


@dataclass
class Form:
    action: str  # the path the form posts to
    fields: list[tuple[str, str]] = field(default_factory=list)  # as a browser sends them
    kinds: dict[str, str] = field(default_factory=dict)  # field name → input type
    options: dict[str, list[str]] = field(default_factory=dict)  # select/radio choices
    files: list[str] = field(default_factory=list)  # names of file inputs

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys([*(name for name, _ in self.fields), *self.files]))

    def target(self) -> str | None:
        """The URL name the form posts to, or None when it leaves the project."""
        try:
            return resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            return None


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_chosen: str | None = None
        self._option_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value or "") for key, value in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                action = attrs.get("action") or self.page_path
                self._form = Form(action=action)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            form.kinds.setdefault(name, kind)
            if kind == "file":
                form.files.append(name)
            elif kind in ("checkbox", "radio"):
                form.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image"):
                form.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            form.kinds.setdefault(name, "submit")
            form.options.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_chosen = name, None
            form.kinds.setdefault(name, "select")
            form.options.setdefault(name, [])
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            self._text = []
            if "selected" in attrs:
                self._select_chosen = attrs.get("value")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
            form.kinds.setdefault(name, "textarea")

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        form = self._form
        if form is None:
            return
        if tag == "option" and self._select:
            value = self._option_value
            if value is None:
                value = "".join(self._text).strip()
            form.options[self._select].append(value)
        elif tag == "select" and self._select:
            choices = form.options[self._select]
            chosen = self._select_chosen
            if chosen is None and choices:
                chosen = choices[0]  # what a browser sends for a select left alone
            if chosen is not None:
                form.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea:
            form.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.forms.append(form)
            self._form = None


def parse_forms(page_html: str, page_path: str) -> list[Form]:
    parser = _FormParser(page_path)
    parser.feed(page_html)
    return parser.forms


# --------------------------------------------------------------------------- URL building


def object_spec(name: str, key: str) -> tuple[str, str] | None:
    """``(world.objects key, attribute)`` that the kwarg ``key`` of URL ``name`` designates."""
    if key == "pk":
        return (PK_OBJECTS[name], "pk") if name in PK_OBJECTS else None
    return KWARG_OBJECTS.get(key)


def url_kwargs(world, pattern: Url, choice: dict[str, object] | None = None) -> dict:
    """The URL's kwargs with the world's default objects; ``choice`` replaces some of them
    (``{kwarg: object}``, e.g. another school's object or a restricted one)."""
    kwargs = {}
    for key in pattern.keys:
        if key == "school_slug":
            kwargs[key] = world.school.slug
            continue
        object_key, attribute = object_spec(pattern.name, key)
        chosen = (choice or {}).get(key, world.objects[object_key])
        kwargs[key] = getattr(chosen, attribute)
    return kwargs


def object_keys(pattern: Url) -> list[str]:
    return [key for key in pattern.keys if key != "school_slug"]


def same_kind(world, pattern: Url, key: str, pool: dict) -> list[object]:
    """Objects of ``pool`` (``world.objects`` or ``world.others``) of the same model as the one
    the kwarg designates by default (the health action beside the mobility one…)."""
    object_key, _ = object_spec(pattern.name, key)
    model = type(world.objects[object_key])
    seen, found = set(), []
    for value in pool.values():
        if type(value) is model and value.pk not in seen:
            seen.add(value.pk)
            found.append(value)
    return found


def url_for(world, pattern: Url, choice: dict | None = None) -> str:
    return reverse(pattern.name, kwargs=url_kwargs(world, pattern, choice))


# ------------------------------------------------------------------------ form discovery

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: A plausible value per input type, for a field the page leaves empty.
_PLAUSIBLE = {
    "date": "2024-03-15",
    "time": "09:00",
    "datetime-local": "2024-03-15T09:00",
    "month": "2024-03",
    "number": "1",
    "email": "essai@example.org",
    "tel": "0612345678",
    "url": "https://example.org/",
    "password": "Mot-de-passe-de-test-42",
}


def plausible_payload(form: Form) -> dict:
    """What a user in a hurry sends: the page's values, an option chosen in each empty select,
    a plausible value in each empty field, a small PDF in each file input."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, list] = {}
    for name, value in form.fields:
        if not value:
            kind = form.kinds.get(name, "text")
            choices = [choice for choice in form.options.get(name, []) if choice]
            if kind == "select" and choices:
                value = choices[0]
            elif kind == "hidden":
                value = ""
            else:
                value = _PLAUSIBLE.get(kind, "Essai")
        data.setdefault(name, []).append(value)
    for name, choices in form.options.items():
        if form.kinds.get(name) == "radio" and name not in data and choices:
            data[name] = [choices[0]]
    for name in form.files:
        data[name] = SimpleUploadedFile("essai.pdf", PDF_BYTES, "application/pdf")
    return data


@dataclass
class FoundForm:
    who: str  # the role that saw it
    page: str  # URL name of the page holding it
    form: Form


def discover_forms(world, client_for, walkers, patterns, expected) -> dict[str, list[FoundForm]]:
    """Every form posting inside the project, found by GETting every URL as each walker that
    may (``expected(name, callback, who) == 200``), by the URL name it posts to."""
    found: dict[str, list[FoundForm]] = {}
    for who in walkers:
        client = client_for(who)
        for pattern in patterns:
            if expected(pattern.name, pattern.callback, who) != 200:
                continue
            path = url_for(world, pattern)
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in parse_forms(response.content.decode(), path):
                target = form.target()
                if target and not any(f.form.names == form.names for f in found.get(target, [])):
                    found.setdefault(target, []).append(FoundForm(who, pattern.name, form))
    return found
