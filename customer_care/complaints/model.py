"""The result types of complaint analysis."""

from dataclasses import dataclass
from enum import Enum
from typing import FrozenSet, Optional


class IssueCategory(str, Enum):
    DAMAGED_ITEM = "damaged_item"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    LATE_DELIVERY = "late_delivery"
    REFUND_NOT_RECEIVED = "refund_not_received"
    BILLING = "billing"
    ACCOUNT_LOGIN = "account_login"
    WEBSITE_ERROR = "website_error"
    STAFF_BEHAVIOUR = "staff_behaviour"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    IssueCategory.DAMAGED_ITEM: "Damaged or faulty item",
    IssueCategory.WRONG_ITEM: "Wrong item",
    IssueCategory.MISSING_ITEM: "Missing item",
    IssueCategory.LATE_DELIVERY: "Late or lost delivery",
    IssueCategory.REFUND_NOT_RECEIVED: "Refund not received",
    IssueCategory.BILLING: "Billing or double charge",
    IssueCategory.ACCOUNT_LOGIN: "Account or login problem",
    IssueCategory.WEBSITE_ERROR: "Website or app error",
    IssueCategory.STAFF_BEHAVIOUR: "Staff behaviour",
    IssueCategory.OTHER: "Other",
}


class Severity(str, Enum):
    """Signals that a human should look at the conversation soon."""

    SAFETY = "safety"
    LEGAL = "legal"
    FRAUD = "fraud"
    ANGER = "anger"


@dataclass(frozen=True)
class ComplaintAnalysis:
    raw_text: str
    paraphrase: str  # a clause in the agent's voice: "your parcel came with a cracked screen"; "" if none
    confirmation: str  # "So, if I understand correctly, <paraphrase>. Is that right?"; "" without a paraphrase
    category: IssueCategory
    severity: FrozenSet[Severity]
    is_specific: bool  # False when the message only announces a complaint, so the bot should ask what happened
    wants: Optional[str]  # the remedy asked for: "a refund", "a replacement", ...
