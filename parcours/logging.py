"""Keep personal data out of the logs.

Django's ``django.request`` and ``django.security`` records carry the request (``record.request``:
its POST data, cookies and headers, which a handler such as ``AdminEmailHandler`` prints) and,
for a failed request, the exception whose message may quote a value typed by a user or read
from the database (PostgreSQL's "Key (email)=(…) already exists"). ``NoPersonalDataFilter``,
attached to those loggers and to our handler in ``settings.LOGGING``:

- drops the request object (only its method is kept, in ``record.request_method``);
- replaces the exception message by its type: the traceback keeps the files, lines and
  functions, which is what a developer needs, without the values;
- masks the long random tokens of private links in the logged path (``/bilan-de-stage/<token>/``,
  ``/verifier/<token>/``, the calendar feeds).

The logged path itself holds ids, never names (URLs of school data carry the slug and ids), and
Django logs the path without its query string (which may hold a name typed in a search box).
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType

#: A path segment that looks like a ``secrets.token_urlsafe`` token: 24+ URL-safe characters
#: with an upper-case letter or an underscore (a school's slug has neither).
TOKEN_SEGMENT = re.compile(r"(?<=/)(?=[\w-]*[A-Z_])[A-Za-z0-9_-]{24,}(?=/|$)")
TOKEN_MASK = "[jeton]"  # noqa: S105 — a placeholder, not a secret


def mask_tokens(path: str) -> str:
    """``path`` with its token-like segments replaced by ``[jeton]``."""
    return TOKEN_SEGMENT.sub(TOKEN_MASK, path)


def _exception_types(value: BaseException | None) -> str:
    """The chain of exception types, innermost cause first, without their messages."""
    names: list[str] = []
    seen: set[int] = set()
    while value is not None and id(value) not in seen:
        seen.add(id(value))
        kind = type(value)
        names.append(f"{kind.__module__}.{kind.__qualname__}")
        value = value.__cause__ or value.__context__
    return " <- ".join(names)


def redacted_traceback(
    kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
) -> str:
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    return (
        "Traceback (most recent call last):\n"
        f"{frames}{_exception_types(value)} (message withheld: it may hold personal data)"
    )


class NoPersonalDataFilter(logging.Filter):
    """Strip the request, exception messages and tokens from a record (never drops it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_parcours_redacted", False):
            return True
        request = getattr(record, "request", None)
        if request is not None:
            record.request_method = getattr(request, "method", None)
            record.request = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redacted_traceback(*record.exc_info)
            record.exc_info = None
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                mask_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        record._parcours_redacted = True
        return True
