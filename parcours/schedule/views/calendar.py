"""Placeholder: filled by the calendar work."""

urlpatterns: list = []
public_urlpatterns: list = []
