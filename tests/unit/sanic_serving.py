"""A Sanic app served for real on a free port, in a thread of its own, for tests that talk HTTP to it."""

import asyncio
import socket
import threading
from contextlib import contextmanager
from typing import Any, Iterator, List

from sanic import Sanic

# Every test builds its own app; Sanic refuses two apps of one name in a process outside test mode.
Sanic.test_mode = True


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@contextmanager
def serving(app: Sanic) -> Iterator[str]:
    """Runs `app` in a thread with its own event loop; yields its base URL."""
    sock = free_socket()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failures: List[BaseException] = []

    async def start() -> Any:
        # Sanic 21.12 returns the server already listening; the listeners still need running by hand.
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        return server

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(start())
        except BaseException as error:  # reported to the test thread below
            failures.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(server.before_stop())
        for connection in list(server.connections):
            connection.close_if_idle()  # the browsers' keep-alive connections
        loop.run_until_complete(server.close())
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(server.after_stop())
        loop.close()

    thread = threading.Thread(target=run, name="console-test-server", daemon=True)
    thread.start()
    started.wait(10)
    if failures:
        raise failures[0]
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        sock.close()
