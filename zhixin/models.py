"""Every mapped table, imported in one place so the metadata is complete."""

from bot.models import BotUser, Delivery, DepartmentChat, Subscription
from campaigns.models import Campaign
from complaints.models import Case, CaseEvent, Evidence, OutboxEvent, RoutingExample
from credit.models import GradeProposal
from disclosure.models import (
    CreditGrade,
    DataChange,
    Enterprise,
    GradeObjection,
    ObjectionEvent,
    RecallNotice,
)
from infra.accounts import ApiKey, Department, Staff
from infra.db import Base

metadata = Base.metadata

__all__ = [
    "ApiKey",
    "BotUser",
    "Campaign",
    "Case",
    "CaseEvent",
    "CreditGrade",
    "DataChange",
    "Delivery",
    "Department",
    "DepartmentChat",
    "Enterprise",
    "Evidence",
    "GradeObjection",
    "GradeProposal",
    "ObjectionEvent",
    "OutboxEvent",
    "RecallNotice",
    "RoutingExample",
    "Staff",
    "Subscription",
    "metadata",
]
