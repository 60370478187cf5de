"""Shared by the console's login tests (test_console_login, test_console_sessions): the sessions as stored."""

from sqlalchemy import create_engine, text
from test_console_support import ConsoleUnderTest


def session_rows(console: ConsoleUnderTest) -> list:
    engine = create_engine(console.settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM console_sessions")).mappings().all()
    engine.dispose()
    return [dict(row) for row in rows]
