"""Placeholder: filled by the sessions work."""

urlpatterns: list = []
