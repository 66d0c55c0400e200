import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Without a broker server (no REDIS_URL / RABBITMQ_URL) the web process runs the job worker and scheduler.
from jobs import inprocess  # noqa: E402  (after Django is set up)

inprocess.start()
