"""Every change this assistant makes to Rasa's own behaviour, applied at start-up by `install()`.

The patches, and the other places that lean on Rasa internals, are written against one Rasa release,
RASA_VERSION (the pin in requirements.lock; tests/unit/test_seams.py keeps the two equal). `install()` first
checks that release is the one installed and refuses to start on any other: a private method renamed or a table
changed in a new release would otherwise fail silently, or wrongly. After an upgrade, review each seam below
against the new release, then change RASA_VERSION.

Patches (process-wide, so applied only here):
- action-server responses are validated against a schema compiled once (addons/action_results.py);
- RulePolicy's warning that a subclass of it is "not included" is silenced: IndexedRulePolicy is a RulePolicy.

Subclasses that lean on Rasa's private parts, and are named in config.yml or endpoints.yml:
- addons.rule_policy.IndexedRulePolicy overrides `RulePolicy._get_possible_keys`;
- addons.tracker_store.LeanSQLTrackerStore reads Rasa's SQL tracker store's table and query helpers, and gives it
  and the SQL event broker pooled engines.
And addons.broker_events declares the SQL event broker's table, which the review inbox reads.

`install()` is called by our launchers (addons/rasa_server.py, addons/nlu_server.py) and, for Rasa's own
commands (`rasa run`, `rasa shell`, `rasa train`, `rasa test`), where Rasa imports our code by name: the channel
package `connectors` (credentials.yml), addons.rule_policy (config.yml) and addons.tracker_store (endpoints.yml).
"""

import warnings
from importlib import metadata
from typing import Text

RASA_VERSION = "3.6.21"

# Rasa's recipe validator looks for RulePolicy by identity, so a subclass earns this warning that default intents
# (restart, back) will not work. They do: IndexedRulePolicy is a RulePolicy. The validator's domain check, skipped
# for a subclass for the same reason, runs in IndexedRulePolicy.train.
SUBCLASS_WARNING = "'RulePolicy' is not included in the model's policy configuration"


class RasaVersionMismatch(RuntimeError):
    """The installed Rasa is not the release the seams were written for."""


def installed_rasa_version() -> Text:
    return metadata.version("rasa")


def check_rasa_version() -> None:
    installed = installed_rasa_version()
    if installed != RASA_VERSION:
        raise RasaVersionMismatch(
            f"Rasa {installed} is installed, but addons/seams.py patches and reaches into Rasa {RASA_VERSION} "
            f"(the version requirements.lock pins). Install Rasa {RASA_VERSION} (`make install`), or review every "
            f"seam listed in addons/seams.py against Rasa {installed} and then change RASA_VERSION there."
        )


def install() -> None:
    """Check the Rasa version, then apply every patch to Rasa in this process. Idempotent, and meant to be called
    again: Rasa's CLI puts its own warning filters in front when it starts, and a later call puts ours back first."""
    check_rasa_version()
    from addons.action_results import install_compiled_validator

    install_compiled_validator()
    warnings.filterwarnings("ignore", message=SUBCLASS_WARNING)  # replaces an equal filter instead of adding one
