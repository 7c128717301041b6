from django.contrib import admin
from django.urls import include, path

from parcours import views
from parcours.api import views as api_views
from parcours.organisations import views as organisation_views

admin.site.site_header = "Parcours — administration"
admin.site.site_title = "Parcours"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include("parcours.accounts.urls")),
    path("reseau/", organisation_views.network_home, name="network_home"),
    path("e/<slug:school_slug>/", include("parcours.organisations.urls")),
    path("e/<slug:school_slug>/", include("parcours.intake.urls")),
    path("e/<slug:school_slug>/", include("parcours.people.urls")),
    path("e/<slug:school_slug>/", include("parcours.pathways.urls")),
    path("e/<slug:school_slug>/", include("parcours.competencies.urls")),
    path("e/<slug:school_slug>/", include("parcours.schedule.urls")),
    path("e/<slug:school_slug>/", include("parcours.companies.urls")),
    path("e/<slug:school_slug>/", include("parcours.outcomes.urls")),
    path("e/<slug:school_slug>/", include("parcours.reporting.urls")),
    path("e/<slug:school_slug>/", include("parcours.audit.urls")),
    path("e/<slug:school_slug>/", include("parcours.privacy.urls")),
    path("e/<slug:school_slug>/", include("parcours.imports.urls")),
    path("reseau/", include("parcours.reporting.network_urls")),
    path("agenda/<slug:school_slug>/", include("parcours.intake.public_urls")),
    path("verifier/", include("parcours.competencies.public_urls")),
    path("calendrier/", include("parcours.schedule.public_urls")),
    path("bilan-de-stage/", include("parcours.companies.public_urls")),
    path("api/v1/", include("parcours.api.urls")),
    path("compte/acces-api/", include(api_views.account_urlpatterns)),
    path("e/<slug:school_slug>/", include(api_views.school_urlpatterns)),
    path("admin/", admin.site.urls),
]
