"""The project's URLs plus a view that fails, to see what a failure shows and logs."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from parcours.people.models import Person
from parcours.urls import urlpatterns as project_urlpatterns


def failing_view(request: HttpRequest) -> HttpResponse:
    person = Person.objects.get(pk=request.POST["person"])
    typed = request.POST["note"]
    raise ValueError(f"Échec en enregistrant {person.first_name} {person.last_name}: {typed}")


urlpatterns = [path("test-echec/", failing_view), *project_urlpatterns]
