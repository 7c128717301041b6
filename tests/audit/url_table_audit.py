"""URL access table of the director's audit trail (read-only: no URL edits or deletes)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "audit:trail": Perm.VIEW_AUDIT_TRAIL,
    "audit:trail_export": Perm.VIEW_AUDIT_TRAIL,
}
