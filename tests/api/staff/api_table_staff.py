"""The staff endpoints in the API walk (tests/api/test_permissions.py): what their path
parameters name in the test world, and valid bodies for their writes (so that an outsider's
call reaches the school check — 404 — rather than stopping at an empty body)."""

from __future__ import annotations

PATH_OBJECTS = {
    "person_id": "trainee_person",
    "enrolment_id": "enrolment",
    "exit_id": "exit",
}

BODIES = {
    "staff_enrolment_phase": lambda world: {"phase": world.objects["phase"].pk, "on": "2024-06-03"},
    "staff_enrolment_referent": lambda world: {"referent": world.members["referent"].pk},
    "staff_exit_record": lambda world: {
        "exit_date": "2024-04-12",
        "destination": "cdd",
        "months": 4,
    },
    "staff_exit_correct": lambda world: {
        "exit_date": "2024-03-29",
        "destination": "cdd",
        "months": 5,
        "reason": "entry_error",
    },
    "staff_exit_undo": lambda world: {"reason": "mistake"},
    "staff_attendance_mark": lambda world: {
        "session": world.objects["session"].pk,
        "marks": [{"enrolment": world.objects["enrolment"].pk, "status": "present"}],
    },
}

#: The walk's body names school A's session: the outsider (school B) gets 404.
STATUS = {"staff_attendance_mark": {"outsider": 404}}

BODIES["staff_candidacy_create"] = lambda world: {
    "channel": "phone",
    "received_on": "2026-01-05",
    "prescriber": world.prescriber_partner.pk,
    "last_name": "Nouvelle",
    "first_name": "Personne",
    "birth_date": "2006-04-02",
    "gender": "F",
    "email": "nouvelle.personne@example.net",
    "job_seeker_status": "registered",
    "left_school_on": "2023-06-30",
}
