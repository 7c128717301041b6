"""Placeholder: filled by the settings work."""

urlpatterns: list = []
