"""The store profile and order backend the actions share, created once per action-server process."""

from functools import lru_cache

from customer_care.orders import OrderBackend, SQLiteOrderBackend
from customer_care.profile import StoreProfile, shop_profile
from customer_care.settings import orders_db_path


def profile() -> StoreProfile:
    return shop_profile()


@lru_cache(maxsize=1)
def order_backend() -> OrderBackend:
    return SQLiteOrderBackend(orders_db_path())
