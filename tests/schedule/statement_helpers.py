"""Hand-built attendance for the statement and rate tests.

``march_marks`` gives a trainee born on 15/03/2006 (18 on Friday 15/03/2024) these marks:

    day (2024)        morning      afternoon
    Mon 11/03         excused      unexcused
    Tue 12/03         company      company
    Thu 14/03         present      late          (17 years old)
    Fri 15/03         present      company       (18 from today)
    Mon 18/03         holiday      holiday
    Tue 19/03         present      present
    Wed 20/03         late         —
    and, outside March: Thu 29/02 morning present, Mon 01/04 morning present.
"""

from __future__ import annotations

import datetime

from parcours.schedule.models import AttendanceMark

from ..factories import EnrolmentFactory, PersonFactory

BIRTH_DATE = datetime.date(2006, 3, 15)
MARCH = datetime.date(2024, 3, 1)

MARCH_MARKS = [
    (datetime.date(2024, 3, 11), "am", "excused"),
    (datetime.date(2024, 3, 11), "pm", "unexcused"),
    (datetime.date(2024, 3, 12), "am", "company"),
    (datetime.date(2024, 3, 12), "pm", "company"),
    (datetime.date(2024, 3, 14), "am", "present"),
    (datetime.date(2024, 3, 14), "pm", "late"),
    (datetime.date(2024, 3, 15), "am", "present"),
    (datetime.date(2024, 3, 15), "pm", "company"),
    (datetime.date(2024, 3, 18), "am", "holiday"),
    (datetime.date(2024, 3, 18), "pm", "holiday"),
    (datetime.date(2024, 3, 19), "am", "present"),
    (datetime.date(2024, 3, 19), "pm", "present"),
    (datetime.date(2024, 3, 20), "am", "late"),
    # Outside March: never counted in March's statement.
    (datetime.date(2024, 2, 29), "am", "present"),
    (datetime.date(2024, 4, 1), "am", "present"),
]


def add_marks(enrolment, marks, recorded_by) -> None:
    for day, half, status in marks:
        AttendanceMark.objects.create(
            school=enrolment.school,
            enrolment=enrolment,
            day=day,
            half=half,
            status=status,
            reason="illness" if status == "excused" else "",
            recorded_by=recorded_by,
        )


def trainee_turning_18(world, *, site=None, last_name="Majeure", first_name="Zoé"):
    """An enrolment of ``world.school`` for a trainee born on 15/03/2006, with the marks above."""
    person = PersonFactory(
        school=world.school, last_name=last_name, first_name=first_name, birth_date=BIRTH_DATE
    )
    enrolment = EnrolmentFactory(
        school=world.school,
        person=person,
        site=site or world.site,
        referent=world.members["referent"],
        entry_date=datetime.date(2024, 2, 5),
    )
    add_marks(enrolment, MARCH_MARKS, world.members["referent"].user)
    return enrolment
