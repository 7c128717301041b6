"""URL access table of the school's key figures (page, one-page PDF, XLSX)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "reporting:key_figures": Perm.VIEW_KEY_FIGURES,
    "reporting:key_figures_pdf": Perm.VIEW_KEY_FIGURES,
    "reporting:key_figures_xlsx": Perm.VIEW_KEY_FIGURES,
}
