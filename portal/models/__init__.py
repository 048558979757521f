"""The portal's models, one module per part of the portal (as Wagtail's own `wagtail.models`).

Every model is re-exported here, so `from portal.models import User` and the migrations'
`portal.models.EmailUserManager` keep working; the app label stays "portal" (Django finds it
from the package).
"""

from portal.models.connections import Connection, ConnectionRequest
from portal.models.membership import EarlierApplication, Membership, MembershipDecision
from portal.models.messages import Conversation, Message
from portal.models.profiles import (
    SECTOR_NAMES,
    ExpertiseTag,
    MemberProfile,
    Sector,
    TaggedExpertise,
    member_sort_name,
)
from portal.models.safety import Block, Report, ReportedMessage, SafeguardingRecord
from portal.models.users import EmailUserManager, User

__all__ = [
    "SECTOR_NAMES",
    "Block",
    "Connection",
    "ConnectionRequest",
    "Conversation",
    "EarlierApplication",
    "EmailUserManager",
    "ExpertiseTag",
    "MemberProfile",
    "Membership",
    "MembershipDecision",
    "Message",
    "Report",
    "ReportedMessage",
    "SafeguardingRecord",
    "Sector",
    "TaggedExpertise",
    "User",
    "member_sort_name",
]
