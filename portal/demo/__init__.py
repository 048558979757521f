"""Demo content of the member portal, loaded by `manage.py load_demo_content`.

The people and what they say are data (`content/members.toml`); `loader` creates them through
the portal's services, as sign-up and the review queue would.
"""

from portal.demo.loader import (
    APPLICANT,
    DEMO_PASSWORD,
    MEMBERS,
    REVIEWER_EMAIL,
    ensure_reviewers_group,
    load,
)

__all__ = [
    "APPLICANT",
    "DEMO_PASSWORD",
    "MEMBERS",
    "REVIEWER_EMAIL",
    "ensure_reviewers_group",
    "load",
]
