import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from config import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything a worker keeps for its life (Django's apps, the URLconf and with it the GraphQL schema) is loaded here
# rather than by the first request, then kept out of the cycle collector's way (config/collector.py).
get_resolver().url_patterns  # noqa: B018  (the import of every view and of the schema)
collector.settle()

# Without a broker server (no REDIS_URL / RABBITMQ_URL) the web process runs the job worker and scheduler.
from jobs import inprocess  # noqa: E402  (after Django is set up)

inprocess.start()
