"""Placeholder: filled by the frameworks work."""

urlpatterns: list = []
