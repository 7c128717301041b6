"""Placeholder: filled by the progress work."""

urlpatterns: list = []
