from django.urls import path

from . import views, views_exports

app_name = "organisations"

urlpatterns = [
    path("", views.school_home, name="home"),
    path("sites/nouveau/", views.site_create, name="site_create"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/modifier/", views.site_edit, name="site_edit"),
    path("sites/<int:site_pk>/salles/nouvelle/", views.room_create, name="room_create"),
    path("salles/<int:pk>/", views.room_detail, name="room"),
    path("salles/<int:pk>/modifier/", views.room_edit, name="room_edit"),
    path("equipe/", views.staff_list, name="staff"),
    path("equipe/export/", views_exports.staff_export, name="staff_export"),
    path("equipe/<int:pk>/desactiver/", views.staff_deactivate, name="staff_deactivate"),
    path("equipe/<int:pk>/reactiver/", views.staff_reactivate, name="staff_reactivate"),
    path("parametres/", views.settings_home, name="settings"),
    path("partenaires/", views.partner_list, name="partners"),
    path("partenaires/export/", views_exports.partner_export, name="partners_export"),
    path("partenaires/nouveau/", views.partner_create, name="partner_create"),
    path("partenaires/<int:pk>/modifier/", views.partner_edit, name="partner_edit"),
    path("financements/", views.funding_list, name="funding"),
    path("financements/export/", views_exports.funding_export, name="funding_export"),
    path("financements/nouveau/", views.funding_create, name="funding_create"),
    path("financements/<int:pk>/modifier/", views.funding_edit, name="funding_edit"),
]
