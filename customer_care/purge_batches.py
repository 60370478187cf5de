"""The purge's way of changing rows: a batch at a time, one short transaction each, or only counting.

The purge meets tables of any size while the bot and the console keep writing to the same databases. Every
delete or update here takes at most `batch` rows per transaction, so a huge table is never held in one
transaction and the bot's own writes wait at most one batch (customer_care.retention says more). With `dry_run`
the deletes only count the rows they would remove. What the purge does to each table is
customer_care.retention_tables'.
"""

from typing import Any, Callable, List, Sequence

from sqlalchemy import Table, delete, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement


class BatchedPurge:
    """Deletes or changes the rows of a table `batch_size` at a time; with `dry_run`, only counts them."""

    def __init__(self, batch_size: int, dry_run: bool) -> None:
        self.batch = batch_size
        self.dry_run = dry_run

    def _delete(self, engine: Engine, table: Table, condition: "ColumnElement[bool]") -> int:
        """Delete the rows of `table` matching `condition`, `batch` rows per transaction (or count them)."""
        if self.dry_run:
            with engine.connect() as connection:
                return count_rows(connection, table, condition)
        return self._in_batches(
            engine,
            table,
            condition,
            lambda connection, ids: connection.execute(delete(table).where(table.c.id.in_(ids))).rowcount,
        )

    def _in_batches(
        self,
        engine: Engine,
        table: Table,
        condition: "ColumnElement[bool]",
        change: Callable[[Connection, List[int]], int],
    ) -> int:
        """Apply `change` to the ids of the rows of `table` matching `condition`, `batch` ids per transaction,
        until a batch comes back short; the sum of what it returns (the rows it changed)."""
        changed = 0
        while True:
            with engine.begin() as connection:
                ids = list(
                    connection.execute(
                        select(table.c.id).where(condition).order_by(table.c.id).limit(self.batch)
                    ).scalars()
                )
                if ids:
                    changed += change(connection, ids)
            if len(ids) < self.batch:
                return changed

    def _delete_ids(self, engine: Engine, table: Table, ids: Sequence[int]) -> int:
        if not ids or self.dry_run:
            return len(ids)
        deleted = 0
        for start in range(0, len(ids), self.batch):
            with engine.begin() as connection:
                chunk = list(ids[start : start + self.batch])
                deleted += connection.execute(delete(table).where(table.c.id.in_(chunk))).rowcount
        return deleted


def count_rows(connection: Any, table: Table, condition: "ColumnElement[bool]") -> int:
    return int(connection.execute(select(func.count()).select_from(table).where(condition)).scalar() or 0)
