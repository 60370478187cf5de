"""Where the assistant keeps its files; every path can be moved with an environment variable."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Folder for runtime data (databases); git ignores it."""
    return Path(os.environ.get("CARE_VAR_DIR", PROJECT_ROOT / "var"))


def store_profile_path() -> Path:
    return Path(os.environ.get("STORE_PROFILE", PROJECT_ROOT / "store_profile.yml"))


def orders_db_path() -> Path:
    return Path(os.environ.get("ORDERS_DB", var_dir() / "orders.db"))


def database_url() -> str:
    """SQLAlchemy URL of the assistant's own database: the issue log now, the ticket store later."""
    default = f"sqlite:///{(var_dir() / 'care.db').as_posix()}"
    return os.environ.get("CARE_DATABASE_URL") or default


def events_database_url() -> str:
    """SQLAlchemy URL of the SQL event broker's database (endpoints.yml points the broker at var/events.db):
    every event of every conversation, which the retraining inbox reads and never writes."""
    default = f"sqlite:///{(var_dir() / 'events.db').as_posix()}"
    return os.environ.get("CARE_EVENTS_URL") or default


def endpoints_path() -> Path:
    """The endpoints.yml the action server reads its own settings from (the ticket webhook)."""
    return Path(os.environ.get("CARE_ENDPOINTS", PROJECT_ROOT / "endpoints.yml"))
