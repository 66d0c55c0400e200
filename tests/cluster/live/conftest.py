"""Tests against the running production topology (`make cluster-test`, platform/cluster/): only with CLUSTER=1.

The normal suite does not collect them: they need root, the Debian packages and a topology of a dozen processes.
"""

import os

if not os.environ.get("CLUSTER"):
    collect_ignore_glob = ["test_*.py"]
