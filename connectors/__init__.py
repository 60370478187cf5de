"""Input channels of the assistant, registered in credentials.yml.

Rasa imports this package when it loads the channels, so the Rasa server process also gets the faster
validation of action-server responses here (see action_results.py).
"""

from connectors import action_results

action_results.install()
