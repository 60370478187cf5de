"""Rasa's Redis lock store, safe across processes; endpoints.yml names it `addons.lock_store.AtomicRedisLockStore`.

Rasa runs each turn of a conversation under a lock: a queue of numbered tickets kept as one JSON value per
conversation. Rasa 3.6's RedisLockStore changes that value by reading it, changing it in the process and writing
it back, so two processes issuing a ticket at the same moment each write a queue without the other's ticket, and
both run their turn at once: one turn's events are then lost when the other's are saved (seen: 18 of 20
messages sent at once to two processes stored). Here every change of the queue (issuing a ticket, dropping
expired ones, giving a ticket back and deleting the emptied queue) is one Redis transaction (WATCH/MULTI/EXEC,
retried when another process changed the queue meanwhile), so tickets are issued and served strictly in order.
"""

import json
import logging
from typing import Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from addons import seams

seams.install()  # Rasa loads this store by name from endpoints.yml, also under plain `rasa run`: a seam, pinned

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa makes a lock store named by its class path with only the endpoint configuration.
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        # A connection found dead (Redis restarted) is made again and the command retried, a few times with a
        # short back-off, before the turn fails: a restart of Redis costs no customer message, an outage a quick
        # apology (connectors.turns) instead of a wait.
        self.red.connection_pool.connection_kwargs.update(
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            socket_connect_timeout=5,
        )

    def _change(
        self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]
    ) -> Result:
        """Apply `change` to the conversation's stored queue in one transaction: it gets the queue (None if there
        is none) and returns the queue to store (None or an empty one: delete it) and a result."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    changed, result = change(lock)
                    pipe.multi()
                    if changed is None or not changed.is_someone_waiting():
                        pipe.delete(key)
                    else:
                        pipe.set(key, changed.dumps())
                    pipe.execute()
                    return result
                except WatchError:
                    continue  # another process changed the queue between our read and write: read it again

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except RedisError as error:
            raise LockError(f"The lock store (Redis) can't be reached: {error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        def give_back(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        try:
            self._change(conversation_id, give_back)
        except RedisError as error:  # the ticket expires on its own; the turn itself is done
            logger.error("Could not give back the lock of conversation %s: %s", conversation_id, error)
