"""URL access table of the network's reports (under /reseau/, network accounts only)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "reporting_network:key_figures": Perm.VIEW_NETWORK,
    "reporting_network:key_figures_xlsx": Perm.VIEW_NETWORK,
}
