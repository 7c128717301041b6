"""URL access table of the funder reports (the page and the XLSX download of each report).

The download has one pattern per report kind, all named ``reporting:funder_report`` (the kind
is passed to the view): the walk reverses the name without a kind and gets the first report.
"""

from parcours.organisations.access import Perm

URL_PERMS = {
    "reporting:funder_reports": Perm.EXPORT_FUNDER_REPORTS,
    "reporting:funder_report": Perm.EXPORT_FUNDER_REPORTS,
}
