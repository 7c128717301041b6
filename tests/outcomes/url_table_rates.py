"""URL access table of the rates page (success rates, destinations, follow-up waves)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "outcomes:rates": Perm.VIEW_OUTCOMES,
    "outcomes:rates_export": Perm.VIEW_OUTCOMES,
}
