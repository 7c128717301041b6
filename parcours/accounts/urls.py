from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", views.two_factor_verify, name="two_factor_verify"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", views.account, name="account"),
    path("compte/double-authentification/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "compte/double-authentification/codes-de-secours/",
        views.backup_codes,
        name="backup_codes",
    ),
    path(
        "compte/double-authentification/desactiver/",
        views.two_factor_disable,
        name="two_factor_disable",
    ),
    path("compte/deconnexion-partout/", views.logout_everywhere, name="logout_everywhere"),
    path("compte/mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("compte/mot-de-passe/modifie/", views.password_change_done, name="password_change_done"),
    path("mot-de-passe-oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
]
