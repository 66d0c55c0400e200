"""Bench-only (bench/settings.py): count the SQL queries a request sends (one per round trip: statements sent
together, a page and its nested lists, are one) and the time spent in them.

Adds ``X-Bench-Queries``, ``X-Bench-SQL-Ms`` and ``X-Bench-Server-Ms`` to every response, counted with a
``connection.execute_wrapper`` around the whole request (sessions, authentication, scope, the page, audit).
"""

import time

from django.db import connection


class CountQueries:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counted = {"queries": 0, "seconds": 0.0}

        def wrapper(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                counted["queries"] += 1
                counted["seconds"] += time.perf_counter() - started

        started = time.perf_counter()
        with connection.execute_wrapper(wrapper):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(counted["queries"])
        response["X-Bench-SQL-Ms"] = f"{counted['seconds'] * 1000:.3f}"
        response["X-Bench-Server-Ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        return response
