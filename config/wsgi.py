import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything a worker keeps for its life (Django's apps, the URLconf and with it the GraphQL schema, loaded here
# rather than by the first request) is moved out of the cycle collector's reach (issue 15): a full collection
# walked those ~200,000 objects again every few hundred requests, 140-170 ms each (timed with gc.callbacks on the
# county page in-process); frozen, it walks only what requests left behind. The server's figures before and
# after are in docs/benchmarks.md (python -m bench.run).
get_resolver().url_patterns  # noqa: B018  (the import of every view and of the schema)
gc.collect()
gc.freeze()

# Without a broker server (no REDIS_URL / RABBITMQ_URL) the web process runs the job worker and scheduler.
from jobs import inprocess  # noqa: E402  (after Django is set up)

inprocess.start()
