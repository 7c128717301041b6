"""The ages the figures read are the same before and after anonymisation."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from parcours.people.models import coming_of_age, entry_age, is_minor_on
from parcours.schedule.statements import build_statement

BIRTH = datetime.date(2001, 3, 14)
ENTRY = datetime.date(2019, 3, 4)  # ten days before the 18th birthday


def _marks():
    day = datetime.date(2019, 3, 1)
    while day.month == 3:
        if day.weekday() < 5:
            yield SimpleNamespace(day=day, half="am", status="present")
        day += datetime.timedelta(days=1)


def test_entry_age_prefers_the_age_kept_at_anonymisation():
    assert entry_age(BIRTH, ENTRY) == 17
    assert entry_age(datetime.date(2001, 1, 1), ENTRY) == 18  # the year alone says otherwise
    assert entry_age(datetime.date(2001, 1, 1), ENTRY, 17) == 17
    assert entry_age(None, ENTRY) is None


def test_the_month_of_the_18th_birthday_is_split_the_same_after_anonymisation():
    known = SimpleNamespace(birth_date=BIRTH, anonymised_at=None, came_of_age_on=None)
    anonymised = SimpleNamespace(
        birth_date=datetime.date(2001, 1, 1),
        anonymised_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        came_of_age_on=coming_of_age(BIRTH),
    )
    month = datetime.date(2019, 3, 1)
    before = build_statement(None, month, list(_marks()), person=known)
    after = build_statement(None, month, list(_marks()), person=anonymised)
    assert before.paid_minor.half_days == 9  # 1, 4–8, 11–13 March
    assert (after.paid_minor, after.paid_adult, after.adult_on) == (
        before.paid_minor,
        before.paid_adult,
        before.adult_on,
    )


def test_without_a_kept_birthday_the_year_decides():
    anonymised = SimpleNamespace(
        birth_date=datetime.date(2001, 1, 1),
        anonymised_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        came_of_age_on=None,
    )
    assert is_minor_on(anonymised, datetime.date(2018, 12, 31))
    assert not is_minor_on(anonymised, datetime.date(2019, 1, 1))
