"""The store profile, order backend and issue log the actions share, created once per action-server process."""

from functools import lru_cache

from customer_care.issue_log import IssueLog
from customer_care.orders import OrderBackend, SQLiteOrderBackend
from customer_care.profile import StoreProfile, shop_profile
from customer_care.settings import database_url, orders_db_path


def profile() -> StoreProfile:
    return shop_profile()


@lru_cache(maxsize=1)
def order_backend() -> OrderBackend:
    return SQLiteOrderBackend(orders_db_path())


@lru_cache(maxsize=1)
def issue_log() -> IssueLog:
    return IssueLog(database_url())
