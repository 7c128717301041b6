"""The session engine: Django's database sessions, whose expiry is pushed back at most once a
minute.

Sessions end after ``SESSION_COOKIE_AGE`` without a request (an inactivity timeout:
``SESSION_SAVE_EVERY_REQUEST``). Django then writes the session row (and commits) on every
request, only to move its expiry forward by a few seconds. Here a request that changed nothing
in the session writes it only when its stored expiry is more than a minute
(:func:`refresh_every`) older than the one a write would give: the timeout still counts from
the last request, give or take a minute (it can only be up to a minute *shorter*, never
longer), at one write a minute per active user instead of one per page view (issue 12).

Set by ``SESSION_ENGINE = "parcours.accounts.sessions"`` (parcours/settings.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


def refresh_every() -> datetime.timedelta:
    """A session unchanged by a request is written when its expiry is older than this
    (``PARCOURS_SESSION_REFRESH_SECONDS``, 60; the test suite sets 0: written on every request,
    as Django does, so that query counts do not depend on the time between two requests), and
    at most a tenth of ``SESSION_COOKIE_AGE``: a short timeout is still pushed back by use."""
    seconds = getattr(settings, "PARCOURS_SESSION_REFRESH_SECONDS", 60)
    return datetime.timedelta(seconds=min(seconds, settings.SESSION_COOKIE_AGE // 10))


class SessionStore(DatabaseSessionStore):
    #: The expiry of the stored row, as loaded (None: not loaded, or no row).
    stored_expiry: datetime.datetime | None = None

    def load(self):
        stored = self._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored else None
        return self.decode(stored.session_data) if stored else {}

    def needs_refresh(self) -> bool:
        """Whether the stored expiry is more than :func:`refresh_every` behind a new one."""
        if self.stored_expiry is None:
            return True
        return self.stored_expiry < self.get_expiry_date() - refresh_every()

    def save(self, must_create: bool = False) -> None:
        if not must_create and not self.modified and not self.needs_refresh():
            return
        super().save(must_create=must_create)
        self.stored_expiry = self.get_expiry_date()
