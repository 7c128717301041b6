"""TODO(issue 7): internships views."""

urlpatterns: list = []
