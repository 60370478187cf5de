"""Where the purge finds the data: the tracker store and event broker of an endpoints file, the broker's copy the
review inbox reads, and the assistant's own database, as SQLAlchemy URLs (see customer_care.retention).

Relative SQLite paths in the endpoints file are taken from the current folder, as Rasa takes them.
"""

import importlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypeGuard, Union
from urllib.parse import urlsplit

import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.engine.url import URL

from customer_care.settings import database_url as default_database_url
from customer_care.settings import endpoints_path, events_database_url

_SQL_TRACKER_STORES = ("sql", "addons.tracker_store.LeanSQLTrackerStore", "rasa.core.tracker_store.SQLTrackerStore")
_SQL_BROKERS = ("sql", "rasa.core.brokers.sql.SQLEventBroker")
_UNSET_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class RetentionError(ValueError):
    """A bad number of days, or settings the purge cannot read (the message says which)."""


@dataclass(frozen=True)
class Locations:
    """The databases to purge. A URL is None where there is nothing SQL to purge; the note says why."""

    tracker_url: Optional[str]
    broker_urls: Tuple[str, ...]
    database_url: str
    notes: Tuple[str, ...] = ()


def locations(
    endpoints: Union[str, Path, None] = None,
    database_url: Optional[str] = None,
    events_url: Optional[str] = None,
    base_dir: Optional[Path] = None,
) -> Locations:
    """The tracker store and event broker of `endpoints` (default: CARE_ENDPOINTS or endpoints.yml), the
    broker database the inbox reads (`events_url`, default CARE_EVENTS_URL or var/events.db) and the
    assistant's database (`database_url`, default CARE_DATABASE_URL or var/care.db). Relative SQLite paths in
    the endpoints file are taken from `base_dir` (default: the current folder, as Rasa does)."""
    path = Path(endpoints) if endpoints else endpoints_path()
    base = base_dir or Path.cwd()
    config = _read_endpoints(path)
    notes: List[str] = []

    tracker = config.get("tracker_store")
    tracker_url = None
    if _is_sql(tracker, _SQL_TRACKER_STORES, "rasa.core.tracker_store", "SQLTrackerStore"):
        tracker_url = _rasa_sql_url(tracker, "rasa.db", base)
    elif _describe(tracker) in ("", "memory"):
        notes.append(f"tracker store: in memory ({path}), nothing kept to purge")
    else:
        notes.append(f"tracker store: {_describe(tracker)} in {path}, not SQL; its retention is that store's own")

    brokers: List[str] = []
    broker = config.get("event_broker")
    if _is_sql(broker, _SQL_BROKERS, "rasa.core.brokers.sql", "SQLEventBroker"):
        brokers.append(_rasa_sql_url(broker, "events.db", base))
    elif broker:
        notes.append(f"event broker: {_describe(broker)} in {path}, not SQL; its retention is the broker's own")
    inbox_source = _absolute_sqlite(events_url or events_database_url(), base)
    if not _same_database(inbox_source, brokers):
        brokers.append(inbox_source)
    if tracker_url is not None and any(_same_database(url, [tracker_url]) for url in brokers):
        notes.append("event broker: its database is the tracker store's; purged as the tracker store only")
        brokers = [url for url in brokers if not _same_database(url, [tracker_url])]
    return Locations(
        tracker_url=tracker_url,
        broker_urls=tuple(brokers),
        database_url=_absolute_sqlite(database_url or default_database_url(), base),
        notes=tuple(notes),
    )


def _read_endpoints(path: Path) -> Dict[str, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise RetentionError(f"no endpoints file at {path} (set CARE_ENDPOINTS or pass --endpoints)") from None
    except (OSError, yaml.YAMLError) as error:
        raise RetentionError(f"cannot read the endpoints file {path}: {error}") from None
    if not isinstance(content, dict):
        raise RetentionError(f"the endpoints file {path} is not a mapping of endpoints")
    # Only the two sections the purge reads get their ${VARIABLES} filled in, as Rasa fills them in: the run's
    # file (var/endpoints.run.yml) names variables only the Rasa server has, elsewhere.
    return {name: _expand(content.get(name), path) for name in ("tracker_store", "event_broker")}


def _expand(value: Any, path: Path) -> Any:
    if isinstance(value, dict):
        return {key: _expand(item, path) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, path) for item in value]
    if isinstance(value, str) and "${" in value:  # as Rasa: only values naming a ${VARIABLE} are expanded
        expanded = os.path.expandvars(value)
        unset = _UNSET_VARIABLE.search(expanded)
        if unset:
            raise RetentionError(f"{path} uses ${{{unset.group(1)}}}, which is not set")
        return expanded
    return value


def _is_sql(section: Any, known: Sequence[str], module: str, class_name: str) -> TypeGuard[Dict[str, Any]]:
    if not isinstance(section, dict) or not section.get("type"):
        return False
    kind = str(section["type"])
    if kind.lower() == "sql" or kind in known:
        return True
    if "." not in kind:
        return False  # redis, mongod, dynamo, pika, kafka, memory
    try:  # a custom class: SQL when it is Rasa's SQL store or broker underneath
        owner, _, name = kind.rpartition(".")
        candidate = getattr(importlib.import_module(owner), name)
        base = getattr(importlib.import_module(module), class_name)
        return isinstance(candidate, type) and issubclass(candidate, base)
    except Exception:  # noqa: BLE001 - a class that can't be loaded is no SQL store we know how to purge
        return False


def _describe(section: Any) -> str:
    if isinstance(section, dict) and section.get("type"):
        return str(section["type"])
    return ""


def _rasa_sql_url(section: Mapping[str, Any], default_db: str, base: Path) -> str:
    """The URL Rasa's SQLTrackerStore.get_db_url (also the SQL broker's) makes of an endpoints section."""
    host = section.get("url")
    if host and "://" in str(host):
        return _absolute_sqlite(str(host), base)  # a whole URL in `url`
    port = section.get("port")
    if host:
        parsed = urlsplit(f"scheme://{host}")
        port = parsed.port or port
        host = parsed.hostname or host
    url = URL.create(
        str(section.get("dialect") or "sqlite"),
        username=section.get("username"),
        password=section.get("password"),
        host=host or None,
        port=int(port) if port not in (None, "") else None,
        database=str(section.get("db") or default_db),
        query=section.get("query") or {},
    )
    return _absolute_sqlite(url.render_as_string(hide_password=False), base)


def _absolute_sqlite(url: str, base: Path) -> str:
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return url
    if Path(database).is_absolute():
        return url
    absolute: str = parsed.set(database=str((base / database).resolve())).render_as_string(hide_password=False)
    return absolute


def _same_database(url: str, others: Sequence[str]) -> bool:
    parsed = make_url(url)
    return any(make_url(other) == parsed for other in others)


def safe_url(url: Optional[str]) -> str:
    """`url` without its password, to print."""
    if not url:
        return "-"
    try:
        shown: str = make_url(url).render_as_string(hide_password=True)
        return shown
    except Exception:  # noqa: BLE001 - an unparsable URL: say nothing that may hold a password
        return "(unreadable URL)"
