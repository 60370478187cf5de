"""The agent console's command line.

python -m console serve [--host 127.0.0.1] [--port 5006]
python -m console add-agent USERNAME --name "Display Name" [--role agent|trainer] [--password-stdin]
python -m console set-password USERNAME [--password-stdin]
python -m console disable-agent USERNAME    # can't log in any more; open sessions end at once
python -m console enable-agent USERNAME
python -m console list-agents
"""

import argparse
import getpass
import sys
from datetime import timedelta
from typing import Callable, Optional, Sequence, TextIO

from sqlalchemy.exc import SQLAlchemyError

from console.sessions import SessionStore
from console.settings import ConsoleSettings, SettingsError
from customer_care.agents import AgentDirectory, AgentError, Role

USAGE_ERROR = 2


class PasswordError(AgentError):
    """The password could not be read, or the two entries differ."""


def main(
    argv: Optional[Sequence[str]] = None, stdin: TextIO = sys.stdin, ask: Callable[[str], str] = getpass.getpass
) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = ConsoleSettings.from_env()
        if args.command == "serve":
            return _serve(settings, args.host, args.port)
        directory = AgentDirectory(settings.database_url)
        if args.command == "list-agents":
            return _list_agents(directory)
        if args.command == "disable-agent":
            agent = directory.disable(args.username)
            ended = _sessions(settings).end_all(agent.username)
            print(f"Disabled {agent.username}; {ended} open session(s) logged out.")
            return 0
        if args.command == "enable-agent":
            agent = directory.enable(args.username)
            print(f"Enabled {agent.username}; they can log in again.")
            return 0
        password = _read_password(args.password_stdin, stdin, ask)
        if args.command == "add-agent":
            agent = directory.add(args.username, args.name, password, role=args.role)
            print(f"Added {agent.role} {agent.username} ({agent.display_name}).")
        else:
            directory.set_password(args.username, password)
            ended = _sessions(settings).end_all(args.username.strip().lower())
            print(f"Password of {args.username} changed; {ended} open session(s) logged out.")
        return 0
    except (AgentError, SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except SQLAlchemyError as error:
        print(
            f"error: cannot use the database: {type(error).__name__}: {error.args[0] if error.args else ''}",
            file=sys.stderr,
        )
        return 1


def _sessions(settings: ConsoleSettings) -> SessionStore:
    return SessionStore(
        settings.database_url,
        idle=timedelta(hours=settings.session_hours),
        lifetime=timedelta(hours=settings.session_max_hours),
    )


def _serve(settings: ConsoleSettings, host: str, port: int) -> int:
    from console.app import create_app  # only `serve` pays for importing Sanic

    settings.require_rasa_token()
    app = create_app(settings)
    print(f"Agent console on http://{host}:{port}/ (Rasa at {settings.rasa_url})")
    app.run(host=host, port=port, workers=1, access_log=True, debug=False)
    return 0


def _list_agents(directory: AgentDirectory) -> int:
    agents = directory.all()
    if not agents:
        print('No agents yet. Add one with: python -m console add-agent USERNAME --name "Display Name"')
        return 0
    width = max(len(agent.username) for agent in agents)
    for agent in agents:
        seen = f"last seen {agent.last_seen_at:%Y-%m-%d %H:%M} UTC" if agent.last_seen_at else "never logged in"
        state = "disabled" if agent.disabled else "active"
        print(f"{agent.username:<{width}}  {agent.role:<7}  {state:<8}  {agent.display_name}  ({seen})")
    return 0


def _read_password(from_stdin: bool, stdin: TextIO, ask: Callable[[str], str]) -> str:
    if from_stdin:
        line = stdin.readline()
        if not line:
            raise PasswordError("No password on standard input.")
        return line.rstrip("\r\n")
    try:
        password = ask("Password: ")
        again = ask("Password again: ")
    except (EOFError, KeyboardInterrupt):
        raise PasswordError("No password entered.") from None
    if password != again:
        raise PasswordError("The two passwords differ; nothing was changed.")
    return password


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m console", description="The agent console of the assistant.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the console web app")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5006, help="port to listen on (default 5006)")
    add = commands.add_parser("add-agent", help="create a console account")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name; customers see it next to the agent's replies")
    add.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.AGENT.value,
        help="agent (default) or trainer (read-only)",
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    change = commands.add_parser("set-password", help="change an account's password (logs it out everywhere)")
    change.add_argument("username")
    change.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    disable = commands.add_parser("disable-agent", help="stop an account logging in (logs it out everywhere)")
    disable.add_argument("username")
    enable = commands.add_parser("enable-agent", help="let a disabled account log in again")
    enable.add_argument("username")
    commands.add_parser("list-agents", help="list the console accounts, active or disabled")
    return parser


if __name__ == "__main__":
    sys.exit(main())
