"""TODO(issue 7): agreements views."""

urlpatterns: list = []
