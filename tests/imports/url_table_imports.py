"""URL access table of the import page (direction only)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "imports:home": Perm.IMPORT_RECORDS,
    "imports:example": Perm.IMPORT_RECORDS,
    "imports:job": Perm.IMPORT_RECORDS,
    "imports:job_progress": Perm.IMPORT_RECORDS,
    "imports:job_import": Perm.IMPORT_RECORDS,
    "imports:job_restart": Perm.IMPORT_RECORDS,
    "imports:job_abandon": Perm.IMPORT_RECORDS,
}

PK_OBJECTS = {
    "imports:job": "import_job",
    "imports:job_progress": "import_job",
    "imports:job_import": "import_job",
    "imports:job_restart": "import_job",
    "imports:job_abandon": "import_job",
}
