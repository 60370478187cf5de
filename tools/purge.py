"""Delete conversations and raw customer texts older than N days, keeping masked statistics (`make purge DAYS=N`).

    python -m tools.purge --days 90                                  # the databases the servers use
    python -m tools.purge --days 90 --endpoints var/endpoints.run.yml
    python -m tools.purge --days 90 --dry-run                        # count what would go, change nothing

The tracker store and event broker come from endpoints.yml (CARE_ENDPOINTS, or --endpoints), the assistant's
database from CARE_DATABASE_URL, the inbox's copy of the broker from CARE_EVENTS_URL (var/ by default, or
CARE_VAR_DIR). What each table loses and keeps: customer_care/retention.py. CARE_RETENTION_DAYS=N makes the
agent console do the same every day.

Exit status: 0 done, 1 a database or the settings could not be used (the others are still purged), 2 bad usage.
"""

import argparse
import sys
from typing import Optional, Sequence

from customer_care.retention import check_days, purge
from customer_care.retention_locations import RetentionError, locations, safe_url

USAGE_ERROR = 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    try:
        where = locations(args.endpoints)
        print(f"Tracker store:      {safe_url(where.tracker_url)}")
        print(f"Event broker:       {', '.join(safe_url(url) for url in where.broker_urls) or '-'}")
        print(f"Assistant database: {safe_url(where.database_url)}")
        report = purge(args.days, endpoints=args.endpoints, dry_run=args.dry_run)
    except RetentionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 1 if report.failures else 0


def _days(text: str) -> int:
    try:
        return check_days(int(text))
    except (ValueError, RetentionError):
        raise argparse.ArgumentTypeError(
            f"must be a whole number of days, at least 1, not {text!r}: it is how many days of conversations to "
            f"keep (0 would delete conversations going on right now)"
        ) from None


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.purge", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days", type=_days, required=True, help="keep this many days: what is older goes (at least 1)"
    )
    parser.add_argument(
        "--endpoints",
        help="the endpoints file the Rasa server uses (default: CARE_ENDPOINTS or "
        "endpoints.yml; `make run` uses var/endpoints.run.yml)",
    )
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted; change nothing")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
