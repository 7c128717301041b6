import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from parcours.people.subject_access import build_export
pytestmark = pytest.mark.django_db

def test_probe(world):
    person = world.objects["person"]
    with CaptureQueriesContext(connection) as q:
        build_export(person, generated_by="t")
    for x in q:
        print(x["sql"][:150])
