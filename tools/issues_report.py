"""What customers complained about most: the issue log's categories and phrases, against the period before.

    python -m tools.issues_report                      # last 7 days, database from CARE_DATABASE_URL / var/care.db
    python -m tools.issues_report --days 30 --top 5 --png results/issues.png

Bounded work: the log cuts what it reads of each entry (MAX_MESSAGE_CHARACTERS) and finds the common phrases in
linear time; here a category or phrase is shown cut to MAX_LABEL_CHARACTERS, so one odd entry cannot make every
row of a table (or the chart) as wide as itself.
"""

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from customer_care.issue_log import CategoryTrend, IssueLog, Report
from customer_care.settings import database_url

DEFAULT_DAYS = 7
DEFAULT_TOP = 10
MAX_LABEL_CHARACTERS = 60  # wider than any category or three-word phrase people would read


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    url = args.url or database_url()
    try:
        log = IssueLog(url)
        try:
            report = log.frequency_report(days=args.days, phrase_limit=args.top)
        finally:
            log.close_connections()
    except SQLAlchemyError as error:
        print(f"Cannot read the issue log at {_safe_url(url)}: {error}", file=sys.stderr)
        return 1
    if report.is_empty:
        print(empty_message(report))
        return 0
    print(format_report(report, top=args.top))
    if args.png:
        write_chart(report, Path(args.png), top=args.top)
        print(f"\nChart written to {args.png}")
    return 0


def empty_message(report: Report) -> str:
    message = f"No issues logged in the last {_period(report.days)}."
    if report.previous_total:
        message += f" ({report.previous_total} in the {_period(report.days)} before.)"
    return message


def format_report(report: Report, top: int = DEFAULT_TOP) -> str:
    lines = [
        f"Issues in the last {_period(report.days)} "
        f"({report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC): {report.total}, "
        f"previous {_period(report.days)}: {report.previous_total} ({report.trend})",
        "By kind: " + ", ".join(f"{kind} {count}" for kind, count in report.kinds),
        "",
        "Most frequent categories",
        *_category_table(report.categories[:top]),
        "",
        "Most common phrases",
        *_phrase_table(report.phrases[:top]),
    ]
    return "\n".join(lines)


def write_chart(report: Report, path: Path, top: int = DEFAULT_TOP) -> None:
    """A horizontal bar chart of the top categories, this period next to the previous one, as PNG."""
    # Imported here: the text report should not pay for loading matplotlib. The Agg canvas renders without a
    # display, and a bare Figure (no pyplot) leaves no global state behind.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    trends = list(reversed(report.categories[:top]))  # barh draws bottom-up; most frequent on top
    positions = range(len(trends))
    bar_height = 0.4
    figure = Figure(figsize=(8, 1.2 + 0.45 * len(trends)))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh([y + bar_height / 2 for y in positions], [t.count for t in trends], bar_height, label="this period")
    axes.barh(
        [y - bar_height / 2 for y in positions],
        [t.previous_count for t in trends],
        bar_height,
        label="previous period",
        color="lightgray",
    )
    axes.set_yticks(list(positions))
    axes.set_yticklabels([_label(t.category) for t in trends])
    axes.set_xlabel("issues")
    axes.set_title(f"Issues by category, last {_period(report.days)} vs the {_period(report.days)} before")
    axes.xaxis.get_major_locator().set_params(integer=True)  # counts are whole numbers
    axes.legend(loc="best")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")


def _label(text: str) -> str:
    """`text` as a table or chart shows it: cut to MAX_LABEL_CHARACTERS, with "…" where it was cut."""
    return text if len(text) <= MAX_LABEL_CHARACTERS else text[: MAX_LABEL_CHARACTERS - 1] + "…"


def _category_table(trends: List[CategoryTrend]) -> List[str]:
    labels = [_label(trend.category) for trend in trends]
    width = max([len("Category")] + [len(label) for label in labels])
    rows = [f"  {'Category':<{width}}  {'Count':>5}  {'Previous':>8}  Trend"]
    rows += [
        f"  {label:<{width}}  {trend.count:>5}  {trend.previous_count:>8}  {trend.trend}"
        for label, trend in zip(labels, trends, strict=True)
    ]
    return rows


def _phrase_table(phrases: List[Tuple[str, int]]) -> List[str]:
    if not phrases:
        return ["  (no phrase comes up in more than one issue)"]
    labels = [_label(phrase) for phrase, _ in phrases]
    width = max([len("Phrase")] + [len(label) for label in labels])
    return [f"  {'Phrase':<{width}}  Issues"] + [
        f"  {label:<{width}}  {count:>6}" for label, (_, count) in zip(labels, phrases, strict=True)
    ]


def _period(days: int) -> str:
    return "day" if days == 1 else f"{days} days"


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL has no password we could find either; say which setting to check
        return "CARE_DATABASE_URL / --url"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.issues_report", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=_positive_int, default=DEFAULT_DAYS, help="length of the period (default 7)")
    parser.add_argument("--url", help="SQLAlchemy database URL (default: CARE_DATABASE_URL or var/care.db)")
    parser.add_argument("--png", help="also write a bar chart of the categories to this PNG file")
    parser.add_argument("--top", type=_positive_int, default=DEFAULT_TOP, help="rows per table (default 10)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
