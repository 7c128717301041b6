"""Placeholder: filled by the certifications work."""

urlpatterns: list = []
