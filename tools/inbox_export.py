"""Export the inbox's reviewed messages as training data: data/nlu/from_conversations.yml (`make inbox-export`).

    python -m tools.inbox_export             # sync the inbox from the event broker's database first
    python -m tools.inbox_export --no-sync   # export what the inbox holds now

Databases from CARE_EVENTS_URL / CARE_DATABASE_URL (var/events.db, var/care.db by default). New intents are
added to domain.yml with a placeholder answer; the answer and the shop-question list are left to people (see the
notes it prints).
"""

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from sqlalchemy.exc import SQLAlchemyError

from addons.nlu_export import ExportError, ExportResult, export_examples
from customer_care.answers import answer_response
from customer_care.inbox import Inbox, InboxError
from customer_care.settings import PROJECT_ROOT

DEFAULT_NLU_DIR = PROJECT_ROOT / "data" / "nlu"
DEFAULT_DOMAIN = PROJECT_ROOT / "domain.yml"
DEFAULT_OUT = DEFAULT_NLU_DIR / "from_conversations.yml"


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    try:
        inbox = Inbox(events_url=args.events_url, database_url=args.database_url)
        try:
            if args.sync:
                added = inbox.sync()
                print(f"Synced the inbox: {added} new customer message{'' if added == 1 else 's'}.")
            examples = inbox.approved_examples()
        finally:
            inbox.close()
        if not examples and not args.out.exists():
            print("No reviewed examples to export yet: label message groups in the console's inbox first.")
            return 0
        result = export_examples(examples, nlu_dir=args.nlu_dir, domain_path=args.domain, out_path=args.out)
    except (InboxError, ExportError) as error:
        print(f"Cannot export the reviewed examples: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"Cannot read the inbox's databases: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Cannot write the training data: {error}", file=sys.stderr)
        return 1
    print("\n".join(report_lines(result, approved=len(examples))))
    return 0


def report_lines(result: ExportResult, approved: int) -> List[str]:
    lines = [
        f"Wrote {_display(result.path)}: {result.written} example{'' if result.written == 1 else 's'} "
        f"(from {approved} approved in the inbox, and earlier exports).",
        f"Skipped {result.skipped_existing} approved example{'' if result.skipped_existing == 1 else 's'} "
        f"the training data already has.",
    ]
    for intent in result.new_intents:
        lines.append(
            f"New intent {intent}: added to domain.yml with a placeholder answer {answer_response(intent)}. "
            f"Still needed: write the real answer there, and add {intent} to the shop questions in "
            f"data/rules/shop_questions.yml (docs/adding_a_shop_question.md); then make retrain."
        )
    return lines


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sync",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="read new conversations from the event broker's database first (default: yes)",
    )
    parser.add_argument("--nlu-dir", type=Path, default=DEFAULT_NLU_DIR, help="the training data (data/nlu)")
    parser.add_argument("--domain", type=Path, default=DEFAULT_DOMAIN, help="the domain to add new intents to")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the file to write")
    parser.add_argument("--events-url", default=None, help="the broker's database (default CARE_EVENTS_URL)")
    parser.add_argument("--database-url", default=None, help="the inbox's database (default CARE_DATABASE_URL)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
