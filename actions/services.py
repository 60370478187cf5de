"""The composition root of the action server: the store profile, order backend, issue log, ticket store, agent
directory and ticket webhook the actions share, each built once per process from settings read once.

Settings come from the environment in one place (`ServiceSettings.from_environment`); every backend gets them
explicitly. A shop connects its own order system by returning its OrderBackend from `order_backend()`. The demo's
sample orders are no concern of this module: `make run` and the test servers add them (tools.demo_orders).
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from customer_care.agents import AgentDirectory
from customer_care.escalation import EscalationSettings, load_settings
from customer_care.issue_log import IssueLog
from customer_care.order_access import OrderLookups
from customer_care.orders import OrderBackend, SQLiteOrderBackend
from customer_care.profile import StoreProfile, shop_profile
from customer_care.settings import database_url, endpoints_path, orders_db_path, store_profile_path
from customer_care.tickets import TicketStore
from customer_care.webhook import TicketWebhook, load_webhook


@dataclass(frozen=True)
class ServiceSettings:
    orders_db: Path  # the demo order backend's SQLite file
    database_url: str  # the assistant's own database: issue log, tickets, agents
    store_profile: Path  # escalation triggers and priorities live in the store profile
    endpoints: Path  # the ticket webhook's section

    @classmethod
    def from_environment(cls) -> "ServiceSettings":
        return cls(
            orders_db=orders_db_path(),
            database_url=database_url(),
            store_profile=store_profile_path(),
            endpoints=endpoints_path(),
        )


@lru_cache(maxsize=1)
def settings() -> ServiceSettings:
    return ServiceSettings.from_environment()


def profile() -> StoreProfile:
    return shop_profile()


@lru_cache(maxsize=1)
def escalation_settings() -> EscalationSettings:
    return load_settings(settings().store_profile)


@lru_cache(maxsize=1)
def order_backend() -> OrderBackend:
    return SQLiteOrderBackend(settings().orders_db)


@lru_cache(maxsize=1)
def order_lookups() -> OrderLookups:
    return OrderLookups()


@lru_cache(maxsize=1)
def issue_log() -> IssueLog:
    return IssueLog(settings().database_url)


@lru_cache(maxsize=1)
def ticket_store() -> TicketStore:
    return TicketStore(settings().database_url)


@lru_cache(maxsize=1)
def agent_directory() -> AgentDirectory:
    return AgentDirectory(settings().database_url)


@lru_cache(maxsize=1)
def ticket_webhook() -> Optional[TicketWebhook]:
    return load_webhook(settings().endpoints)
