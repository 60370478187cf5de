"""The store profile, order backend, issue log and ticket store the actions share, created once per process."""

from functools import lru_cache
from typing import Optional

from customer_care.agents import AgentDirectory
from customer_care.escalation import EscalationSettings, load_settings
from customer_care.issue_log import IssueLog
from customer_care.order_access import OrderLookups
from customer_care.orders import OrderBackend, SQLiteOrderBackend
from customer_care.profile import StoreProfile, shop_profile
from customer_care.settings import database_url, orders_db_path
from customer_care.tickets import TicketStore
from customer_care.webhook import TicketWebhook, load_webhook


def profile() -> StoreProfile:
    return shop_profile()


@lru_cache(maxsize=1)
def escalation_settings() -> EscalationSettings:
    return load_settings()


@lru_cache(maxsize=1)
def order_backend() -> OrderBackend:
    return SQLiteOrderBackend(orders_db_path())


@lru_cache(maxsize=1)
def order_lookups() -> OrderLookups:
    return OrderLookups()


@lru_cache(maxsize=1)
def issue_log() -> IssueLog:
    return IssueLog(database_url())


@lru_cache(maxsize=1)
def ticket_store() -> TicketStore:
    return TicketStore(database_url())


@lru_cache(maxsize=1)
def agent_directory() -> AgentDirectory:
    return AgentDirectory(database_url())


@lru_cache(maxsize=1)
def ticket_webhook() -> Optional[TicketWebhook]:
    return load_webhook()
