"""Settings of the server that bench.run measures: the production settings (config.settings, read from the
environment; bench.run sets DEBUG=0 and the secrets) plus one bench-only middleware that reports each
request's SQL statements in response headers. Not used by the product."""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

MIDDLEWARE = ["bench.middleware.CountQueries", *MIDDLEWARE]
