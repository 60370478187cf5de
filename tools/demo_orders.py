"""Give the demo its sample orders: `make run` calls this before starting the servers.

    python -m tools.demo_orders            # var/orders.db (ORDERS_DB, or CARE_VAR_DIR/orders.db)
    python -m tools.demo_orders PATH

The orders go only into a database that has none yet, so the orders a demo changed (a cancellation, a new
address) stay as they are on the next start.
"""

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from customer_care.sample_orders import seed_demo_orders
from customer_care.settings import orders_db_path


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, nargs="?", help="the order database (default: ORDERS_DB or var/orders.db)")
    args = parser.parse_args(argv)
    seed_demo_orders(args.path or orders_db_path())
    return 0


if __name__ == "__main__":
    sys.exit(main())
