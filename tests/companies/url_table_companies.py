"""URL access table of the partner companies, their contacts and the relationship history."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "companies:companies": Perm.VIEW_COMPANIES,
    "companies:company": Perm.VIEW_COMPANIES,
    "companies:company_events": Perm.VIEW_COMPANIES,
    "companies:companies_export": Perm.VIEW_COMPANIES,
    "companies:company_events_export": Perm.VIEW_COMPANIES,
    "companies:company_new": Perm.MANAGE_COMPANIES,
    "companies:company_edit": Perm.MANAGE_COMPANIES,
    "companies:company_archive": Perm.MANAGE_COMPANIES,
    "companies:contact_new": Perm.MANAGE_COMPANIES,
    "companies:contact_edit": Perm.MANAGE_COMPANIES,
    "companies:contact_active": Perm.MANAGE_COMPANIES,
    "companies:company_event_new": Perm.MANAGE_COMPANIES,
    "companies:company_event_delete": Perm.MANAGE_COMPANIES,
}

PK_OBJECTS = {
    "companies:company": "company",
    "companies:company_edit": "company",
    "companies:company_archive": "company",
    "companies:company_event_delete": "company_event",
}

KWARG_OBJECTS = {
    "company_pk": ("company", "pk"),
    "contact_pk": ("contact", "pk"),
}
