"""Placeholder: filled by the statements work."""

urlpatterns: list = []
