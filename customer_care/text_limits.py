"""The most customer text any function reads: bounded work per message, whatever arrives.

Every function that takes text a customer (or a customer's page) typed cuts it to one of these caps FIRST, before
any other processing, with `capped`. Behind the caps every rule runs in linear time, so a message costs at most
a few milliseconds of masking and a bounded amount of analysis, and one customer's 20,000 digits cannot hold up
another customer's turn.
"""

from typing import Any

# A chat message as the channels accept it and as masking, the issue log and the NLU export read it: about two
# pages (800 words), far beyond a chat turn, so a pasted e-mail thread still fits. The channels reject longer
# messages (connectors/limits.py has the same number), and masking reads no further, so nothing stored is longer.
MAX_MESSAGE_CHARACTERS = 5_000

# What the complaint analysis (paraphrase, category, severity) reads of a message: about 500 words. spaCy's
# tokenizer and the rule matchers cost far more per character than masking does, and what went wrong is told in
# the first paragraphs; the rest of a longer message is kept and logged, just not paraphrased.
MAX_ANALYSIS_CHARACTERS = 3_000

# A reply to "May I ask your name?", or a name the shop's page passes along: a name is at most 40 characters
# (names.MAX_NAME_LENGTH) and its introduction ("Hi, my name is ...") a few words more; longer text is no name.
MAX_NAME_CHARACTERS = 200

# One value in a message's or a session's metadata (a name, an e-mail address, a language code, the shop's signed
# customer token of about 1 KB): nothing legitimate is longer, so a longer value is better dropped than cut.
MAX_METADATA_VALUE_CHARACTERS = 2_000


def capped(text: Any, limit: int) -> str:
    """`text` cut to `limit` characters; None, or anything else that is not a string, reads as ""."""
    return text[:limit] if isinstance(text, str) else ""
