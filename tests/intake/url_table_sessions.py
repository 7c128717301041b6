"""URL access table of information sessions (staff) and the public agenda (tests/url_tables.py)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "intake:sessions": Perm.VIEW_CANDIDATES,
    "intake:sessions_export": Perm.VIEW_CANDIDATES,
    # One session's registrations with contact details: the intake team only.
    "intake:session_export": Perm.MANAGE_INTAKE,
    "intake:session": Perm.VIEW_CANDIDATES,
    "intake:session_create": Perm.MANAGE_INTAKE,
    "intake:session_edit": Perm.MANAGE_INTAKE,
    "intake:session_attendance": Perm.MANAGE_INTAKE,
    "intake:registration_cancel": Perm.MANAGE_INTAKE,
}

#: The public agenda needs no login: everybody, anonymous or not, gets the same page.
OPEN_URLS = {
    "agenda:list": {"*": 200},
    "agenda:register": {"*": 200},
    "agenda:registration": {"*": 200},
    "agenda:session_ics": {"*": 200},
}

PK_OBJECTS = {
    "intake:session": "info_session",
    "intake:session_export": "info_session",
    "intake:session_edit": "info_session",
    "intake:session_attendance": "info_session",
    "intake:registration_cancel": "registration",
    "agenda:register": "info_session",
    "agenda:session_ics": "info_session",
}

KWARG_OBJECTS = {"token": ("registration", "token")}
