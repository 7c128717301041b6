"""Private calendar feeds: /calendrier/<school_slug>/<feed_token>.ics (no login, a token)."""

from .views import calendar

app_name = "calendar_feed"

urlpatterns = [*calendar.public_urlpatterns]
