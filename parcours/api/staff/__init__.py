"""Staff endpoints of the API: people, enrolments, exits, attendance (read and write).

Each operation declares the permission of the web view doing the same thing and reads or
writes through the same selectors, forms and services (docs/api.md, « Staff endpoints »).
"""

from __future__ import annotations


def register(api) -> None:
    """Add the staff routers to ``api`` (called by ``parcours.api.api``)."""
    from . import attendance, enrolments, exits, people

    api.add_router("", people.router, tags=["Personnes"])
    api.add_router("", enrolments.router, tags=["Parcours"])
    api.add_router("", exits.router, tags=["Sorties"])
    api.add_router("", attendance.router, tags=["Émargement"])
