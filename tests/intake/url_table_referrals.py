"""URL access table of referrals, the prescriber's pages and the eligibility rules."""

from parcours.organisations.access import Perm

URL_PERMS = {
    # The prescriber's own view.
    "intake:my_referrals": Perm.REFER,
    "intake:my_referrals_export": Perm.REFER,
    "intake:referral_submit": Perm.REFER,
    "intake:my_referral": Perm.REFER,
    # The school's intake team.
    "intake:referral_create": Perm.MANAGE_INTAKE,
    "intake:referrals": Perm.VIEW_CANDIDATES,
    "intake:referrals_export": Perm.VIEW_CANDIDATES,
    "intake:referral": Perm.VIEW_CANDIDATES,
    "intake:interview_create": Perm.MANAGE_INTAKE,
    "intake:decision_create": Perm.MANAGE_INTAKE,
    "intake:entry_create": Perm.MANAGE_INTAKE,  # the world's referral is admitted: 200
    # Eligibility rules.
    "intake:rules": Perm.VIEW_CANDIDATES,
    "intake:rules_create": Perm.MANAGE_ELIGIBILITY_RULES,
}

PK_OBJECTS = {
    "intake:my_referral": "referral",
    "intake:referral": "referral",
    "intake:interview_create": "referral",
    "intake:decision_create": "referral",
    "intake:entry_create": "referral",
}
