"""Placeholder: filled by the attendance work."""

urlpatterns: list = []
