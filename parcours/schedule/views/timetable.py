"""Placeholder: filled by the timetable work."""

urlpatterns: list = []
