"""Everything of the assistant that knows Rasa's internals: the patches to Rasa and the Rasa version they were
written for (seams.py); a policy, a tracker store and a lock store safe across processes (named in config.yml and
endpoints.yml); the event broker's table as the review inbox reads it (broker_events.py); the inbox's export to
Rasa training data (nlu_export.py, with domain_file.py and training_files.py for the files it edits); NLU
components; and the servers `make run` starts: the NLU worker beside the Rasa server, the action server
(action_server.py) and `rasa run` with its token from the environment (rasa_server.py)."""
