"""Production settings: ``parcours check --deploy`` is clean and the hardening holds.

The settings module is loaded in a subprocess with a production-like environment (DEBUG off,
a long random key, a host name, HTTPS on), as the server would load it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PARCOURS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="parcours.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="parcours.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://parcours.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        PARCOURS_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path) -> None:
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY_FALLBACKS": s.SECRET_KEY_FALLBACKS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": s.SECURE_HSTS_PRELOAD,
    "SECURE_PROXY_SSL_HEADER": list(s.SECURE_PROXY_SSL_HEADER),
    "X_FRAME_OPTIONS": s.X_FRAME_OPTIONS,
    "SECURE_REFERRER_POLICY": s.SECURE_REFERRER_POLICY,
    "SECURE_CONTENT_TYPE_NOSNIFF": s.SECURE_CONTENT_TYPE_NOSNIFF,
    "SECURE_CROSS_ORIGIN_OPENER_POLICY": s.SECURE_CROSS_ORIGIN_OPENER_POLICY,
    "mail_admins": any(
        type(h).__name__ == "AdminEmailHandler"
        for name in ("django", "django.request", "django.security", "")
        for h in __import__("logging").getLogger(name or None).handlers
    ),
}))
"""


def production_settings(tmp_path: Path, **extra: str) -> dict:
    result = run(["-c", PRINT_SETTINGS], production_env(tmp_path, **extra))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_hardened(tmp_path) -> None:
    values = production_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert values["SECRET_KEY_FALLBACKS"] == []
    # Django's default e-mail handler would send the request (POST data included) to ADMINS.
    assert values["mail_admins"] is False


def test_previous_secret_keys_come_from_the_environment(tmp_path) -> None:
    old, older = secrets.token_urlsafe(64), secrets.token_urlsafe(64)
    values = production_settings(tmp_path, DJANGO_SECRET_KEY_FALLBACKS=f"{old}, {older},")
    assert values["SECRET_KEY_FALLBACKS"] == [old, older]


def test_without_a_secret_key_production_settings_refuse_to_load(tmp_path) -> None:
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_signature_made_with_the_previous_key_still_verifies(settings) -> None:
    """Key rotation: values signed with the old key stay valid while it is a fallback."""
    from django.core import signing

    settings.SECRET_KEY = "old-key-" + "x" * 50
    token = signing.dumps({"membership": 1})
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert signing.loads(token) == {"membership": 1}
    settings.SECRET_KEY_FALLBACKS = []
    try:
        signing.loads(token)
    except signing.BadSignature:
        pass
    else:  # pragma: no cover
        raise AssertionError("a value signed with a retired key must not verify")


PRINT_DATABASE_OPTIONS = """
import django, json
django.setup()
from django.conf import settings as s
options = s.DATABASES["default"].get("OPTIONS", {})
print(json.dumps({k: options.get(k) for k in ("server_side_binding", "prepare_threshold")}))
"""
POSTGRES_URL = "postgres://parcours@127.0.0.1:5432/parcours"


def database_options(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    return run(["-c", PRINT_DATABASE_OPTIONS], production_env(tmp_path, **extra))


def test_postgresql_prepares_statements_run_five_times_by_default(tmp_path) -> None:
    result = database_options(tmp_path, DATABASE_URL=POSTGRES_URL)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    result = database_options(tmp_path, DATABASE_URL=POSTGRES_URL, DATABASE_PREPARE_THRESHOLD="20")
    assert json.loads(result.stdout.splitlines()[-1])["prepare_threshold"] == 20
    # Empty is unset (as for every variable of the settings): the default, not off.
    result = database_options(tmp_path, DATABASE_URL=POSTGRES_URL, DATABASE_PREPARE_THRESHOLD=" ")
    assert json.loads(result.stdout.splitlines()[-1])["prepare_threshold"] == 5


def test_prepared_statements_can_be_turned_off_and_sqlite_has_none(tmp_path) -> None:
    none = {"server_side_binding": None, "prepare_threshold": None}
    for value in ("off", "OFF", " none "):
        result = database_options(
            tmp_path, DATABASE_URL=POSTGRES_URL, DATABASE_PREPARE_THRESHOLD=value
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.splitlines()[-1]) == none, value
    result = database_options(tmp_path)  # SQLite
    assert json.loads(result.stdout.splitlines()[-1]) == none


def test_a_bad_prepare_threshold_refuses_to_load(tmp_path) -> None:
    for value in ("0", "-3", "cinq"):
        result = database_options(
            tmp_path, DATABASE_URL=POSTGRES_URL, DATABASE_PREPARE_THRESHOLD=value
        )
        assert result.returncode != 0, value
        assert "DATABASE_PREPARE_THRESHOLD must be a whole number from 1, or off" in result.stderr
