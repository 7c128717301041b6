"""TODO(issue 7): companies views."""

urlpatterns: list = []
