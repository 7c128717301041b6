"""Placeholder: filled by the attestations work."""

urlpatterns: list = []
