"""Placeholder: filled by the assessments work."""

urlpatterns: list = []
