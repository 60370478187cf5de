"""Input channels of the assistant, registered in credentials.yml.

Rasa imports this package when it loads the channels, also under plain `rasa run` and `rasa shell` without our
launchers, so the Rasa server process gets its patches to Rasa from here too (addons/seams.py lists them).
"""

from addons import seams

seams.install()
