"""Login (password, then the second factor), enrolment, the account page and password pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from parcours.audit.services import client_ip
from parcours.competencies.qr import qr_svg
from parcours.intake.ratelimit import allow

from . import services, throttling, two_factor
from .forms import CodeForm, ConfirmPasswordForm, EmailAuthenticationForm, EnrolForm


def _next_url(request: HttpRequest, default: str = "home") -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: a bare word would be taken for a view name by redirect().
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    """E-mail and password; then the code page (the user has a device) or the enrolment page
    (the second factor is mandatory and they have none)."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if two_factor.has_two_factor(user):
            self.request.session[two_factor.PENDING_SESSION_KEY] = True
            return redirect(_with_next("accounts:two_factor_verify", self.get_success_url()))
        throttling.login_succeeded(user)  # no code to come: the login is complete
        if two_factor.requires_two_factor(user):
            return redirect(_with_next("accounts:two_factor_setup", self.get_success_url()))
        return response


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a code from the app or a backup code."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    totp, backup = two_factor.totp_device(user), two_factor.backup_device(user)
    if totp is None:
        request.session.pop(two_factor.PENDING_SESSION_KEY, None)
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and throttling.is_locked(request, user):
        return throttling.lockout_response(request)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = None
        if code.isdigit() and len(code) == 6:
            device = totp if totp.verify_token(code) else None
        elif backup is not None and backup.verify_token(code):
            device = backup
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            request.session.pop(two_factor.PENDING_SESSION_KEY, None)
            throttling.login_succeeded(user)
            if device is backup:
                left = backup.codes.count()
                messages.warning(
                    request,
                    _(
                        "Vous vous êtes connecté·e avec un code de secours : il ne servira plus. "
                        "Il vous en reste %(left)s. Vous pouvez en générer de nouveaux depuis "
                        "« Mon compte »."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        # A wrong code counts as a failed login for the account and the address (django-axes):
        # after too many, the half-open session ends and the login page says it is blocked.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.email}, request=request
        )
        form.add_error("code", _("Ce code n'est pas valide. Vérifiez-le et réessayez."))
        status = 400
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": next_url, "has_backup": backup is not None},
        status=status,
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and secret, a first code to confirm, then the backup
    codes, shown once."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    next_url = _next_url(request)
    if two_factor.has_two_factor(user):
        if user.is_verified():
            return redirect("accounts:account")
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    key = request.session.get(two_factor.SETUP_SESSION_KEY)
    if not key:
        key = two_factor.new_totp_key()
        request.session[two_factor.SETUP_SESSION_KEY] = key
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.enable_two_factor(
                user=user,
                key_hex=key,
                token=form.cleaned_data["code"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("code", error)
            status = 400
        else:
            request.session.pop(two_factor.SETUP_SESSION_KEY, None)
            update_session_auth_hash(request, user)  # this session stays, the others end
            otp_login(request, device)
            request.session.pop(two_factor.PENDING_SESSION_KEY, None)
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": next_url, "first_time": True},
            )
    device = _unsaved_device(user, key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": qr_svg(device.config_url),
            "secret": _grouped(device.config_url),
            "mandatory": two_factor.requires_two_factor(user),
        },
        status=status,
    )


def _unsaved_device(user, key: str):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice(user=user, key=key, name=services.TOTP_NAME)


def _grouped(config_url: str) -> str:
    """The base-32 secret of an ``otpauth://`` URL, in groups of four for manual entry."""
    from urllib.parse import parse_qs, urlsplit

    secret = parse_qs(urlsplit(config_url).query)["secret"][0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    backup = two_factor.backup_device(user)
    return render(
        request,
        "accounts/account.html",
        {
            "totp": two_factor.totp_device(user),
            "backup_left": backup.codes.count() if backup else 0,
            "mandatory": two_factor.two_factor_mandatory(user, request.memberships),
            "enforced": settings.PARCOURS_REQUIRE_2FA,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST replaces the backup codes and shows the new ones once."""
    if not two_factor.has_two_factor(request.user):
        messages.info(request, _("Activez d'abord la double authentification."))
        return redirect("accounts:account")
    form = ConfirmPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if (refused := _refuse_after_failures(request, form)) is not None:
            return refused
        if form.is_valid():
            codes = services.regenerate_backup_codes(
                user=request.user, ip_address=client_ip(request)
            )
            return render(
                request,
                "accounts/backup_codes.html",
                {"codes": codes, "next": reverse("accounts:account"), "first_time": False},
            )
    return render(request, "accounts/backup_codes_confirm.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.two_factor_mandatory(user, request.memberships):
        return render(request, "accounts/two_factor_mandatory.html", status=403)
    if not two_factor.has_two_factor(user):
        return redirect("accounts:account")
    form = ConfirmPasswordForm(request.POST or None, user=user)
    if request.method == "POST":
        if (refused := _refuse_after_failures(request, form)) is not None:
            return refused
        if form.is_valid():
            services.disable_two_factor(user=user, ip_address=client_ip(request))
            messages.success(request, _("La double authentification est désactivée."))
            return redirect("accounts:account")
    return render(request, "accounts/two_factor_disable.html", {"form": form})


#: Wrong passwords in a row, on the confirmation forms, before the session is closed.
CONFIRM_FAILURES_LIMIT = 5
_CONFIRM_FAILURES_KEY = "parcours_confirm_failures"


def _refuse_after_failures(request: HttpRequest, form: ConfirmPasswordForm) -> HttpResponse | None:
    """Count wrong passwords on a confirmation form; at the limit, end the session (whoever
    holds it must log in again, password and second factor). ``None`` lets the view go on."""
    if form.is_valid():
        request.session.pop(_CONFIRM_FAILURES_KEY, None)
        return None
    failures = request.session.get(_CONFIRM_FAILURES_KEY, 0) + 1
    request.session[_CONFIRM_FAILURES_KEY] = failures
    if failures < CONFIRM_FAILURES_LIMIT:
        return None
    logout(request)
    messages.error(
        request,
        _("Trop de mots de passe incorrects : votre session est fermée. Reconnectez-vous."),
    )
    return redirect("accounts:login")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST ends every session of the user, this one included."""
    if request.method == "POST":
        services.end_all_sessions(user=request.user, ip_address=client_ip(request))
        logout(request)
        messages.success(
            request,
            _("Toutes vos sessions sont fermées, sur tous vos appareils. Reconnectez-vous."),
        )
        return redirect("accounts:login")
    return render(request, "accounts/logout_everywhere.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session; the others end
        services.record_password_change(
            user=form.user, action="account.password.change", ip_address=client_ip(self.request)
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Same answer whether the address is known or not; the link expires
    (``PASSWORD_RESET_TIMEOUT``)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_extra_email_context(self):
        return {"base_url": settings.PUBLIC_BASE_URL, "expiry": _expiry_text()}

    def form_valid(self, form):
        # Nobody floods a mailbox or the outgoing mail through this public page: beyond
        # RESET_LIMIT_PER_EMAIL requests an hour for one address, or RESET_LIMIT_PER_CLIENT from
        # one client, no e-mail goes — and the page answers the same (nothing to learn from it).
        email = form.cleaned_data["email"].strip().lower()
        within = allow(
            "password_reset_client",
            client_ip(self.request) or "",
            limit=RESET_LIMIT_PER_CLIENT,
            window=3600,
        ) and allow("password_reset_email", email, limit=RESET_LIMIT_PER_EMAIL, window=3600)
        if not within:
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


#: Password reset requests per hour: for one address, and from one client.
RESET_LIMIT_PER_EMAIL = 3
RESET_LIMIT_PER_CLIENT = 10


def _expiry_text() -> str:
    """How long a reset link lasts, in words (« 2 heures », « 30 minutes »)."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)s heure", "%(n)s heures", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:  # expired, used or made up: the page says so, with a 404
            response_kwargs["status"] = 404
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)  # the new password ends every open session
        services.record_password_change(
            user=form.user, action="account.password.reset", ip_address=client_ip(self.request)
        )
        return response


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
