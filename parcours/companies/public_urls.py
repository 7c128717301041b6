"""The tutor's private review link, outside the staff area: /bilan-de-stage/<token>/."""

app_name = "tutor_review"

urlpatterns: list = []
