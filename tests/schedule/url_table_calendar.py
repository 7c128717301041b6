"""URL access table of the calendar feeds: the page to manage them and the private feed."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "schedule:calendar_feeds": Perm.VIEW_SCHEDULE,
    # GET shows the confirmation (the action is a POST).
    "schedule:calendar_feed_create": Perm.VIEW_SCHEDULE,
    "schedule:calendar_feed_revoke": Perm.VIEW_SCHEDULE,
}

#: No login: the token is the key (another school's token with this school's slug gives 404).
OPEN_URLS = {"calendar_feed:feed": {"*": 200}}

KWARG_OBJECTS = {"feed_token": ("calendar_feed", "token")}
