import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# Without a broker server (no REDIS_URL / RABBITMQ_URL) the web process runs the job worker and scheduler.
from jobs import inprocess  # noqa: E402  (after Django is set up)

inprocess.start()
