"""The review inbox's tables in the assistant's own database (customer_care.settings.database_url()).

customer_care.inbox_sync fills `inbox_messages` from the event broker, customer_care.inbox reads and labels them,
and customer_care.retention deletes old rows. Times are stored as naive UTC (customer_care.database).
"""

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text

# Why a message may need a look; one column flag_<name> each:
#   low_confidence     the NLU's confidence was under the inbox's threshold (inbox.DEFAULT_LOW_CONFIDENCE unless given)
#   fallback           the NLU said nlu_fallback or out_of_scope
#   escalated          the conversation was handed to a person (action_open_ticket): all its messages so far
#   paraphrase_denied  the customer said no to the bot's paraphrase of their complaint: the complaint text
#   agent_marked       an agent marked the message as misunderstood in a transcript (Inbox.mark_misunderstood)
FLAGS = ("low_confidence", "fallback", "escalated", "paraphrase_denied", "agent_marked")

metadata = MetaData()

inbox_messages_table = Table(
    "inbox_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False, index=True),  # the broker's row id
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("group_key", Text, nullable=False),
    Column("key_hash", String(64), nullable=False, index=True),
    Column("intent", String(100), nullable=True, index=True),
    Column("confidence", Float, nullable=True),
    Column("entities", Text, nullable=False, default="[]"),
    Column("sent_at", DateTime(timezone=False), nullable=False, index=True),
    *(Column(f"flag_{flag}", Boolean, nullable=False, default=False) for flag in FLAGS),
)

inbox_labels_table = Table(
    "inbox_labels",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("group_key", Text, nullable=False),
    Column("text", Text, nullable=False),  # the wording labelled (and checked the entities against)
    Column("kind", String(20), nullable=False),
    Column("intent", String(100), nullable=True),
    Column("entities", Text, nullable=False, default="[]"),
    Column("reviewer", String(100), nullable=False),
    Column("labelled_at", DateTime(timezone=False), nullable=False),
)

inbox_marks_table = Table(
    "inbox_marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("text", Text, nullable=False),  # masked, as the messages
    Column("sent_at", DateTime(timezone=False), nullable=False),
    Column("agent", String(100), nullable=False),
    Column("marked_at", DateTime(timezone=False), nullable=False),
    Column("message_id", Integer, nullable=True, index=True),  # None until the message is synced
)

# The customer's answer to "do you want to X, or Y?" for a message the NLU could not decide on.
inbox_clarifications_table = Table(
    "inbox_clarifications",
    metadata,
    Column("message_id", Integer, primary_key=True),  # inbox_messages.id
    Column("intent", String(100), nullable=False),
    Column("answered_at", DateTime(timezone=False), nullable=False),
)

inbox_cursor_table = Table(
    "inbox_cursor",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("last_event_id", Integer, nullable=False),
)
