"""TODO(issue 7): reviews views."""

urlpatterns: list = []
