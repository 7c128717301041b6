"""The tutor's private review link, outside the staff area: /bilan-de-stage/<token>/."""

from .views import public_review

app_name = "tutor_review"

urlpatterns = [*public_review.urlpatterns]
