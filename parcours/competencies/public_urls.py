"""Public verification of an attestation: /verifier/<token>/ (no login)."""

from .views import attestations

app_name = "attestation_check"

urlpatterns = [*getattr(attestations, "public_urlpatterns", [])]
