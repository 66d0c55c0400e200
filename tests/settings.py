"""Settings of the test suite: the embedded default (DEBUG=1, so development secrets are generated into a
git-ignored var/), then config.settings as production reads it. pytest-django still runs tests with DEBUG off."""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402, F403
