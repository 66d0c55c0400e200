# gunicorn -c platform/gunicorn.conf.py config.wsgi  (run from the repository root)
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Process model, chosen by measurement (python -m bench.procmodel; docs/benchmarks.md "Process model"), not by the
# 2 × cores + 1 rule: one worker per core, 4 threads each. A request is mostly Python (it holds the GIL), so a
# worker runs one request at a time on one core and its other threads only help while a request waits on
# PostgreSQL or Redis; a worker per core keeps every core busy, more workers only add memory and cache misses.
# County scale, 2 cores (shared, load average 7-14), the masked 50-row page at 8 clients, medians of 3 rounds:
#   2 × 4: 27.0 req/s, p50 271 ms, 25 ms server CPU per request, 265 MiB; mixed load (pages, dashboard, a
#          write) 39.3 req/s;
#   5 × 2 (the old default on 2 cores): 16.9 req/s, p50 312 ms, 30 ms CPU per request, 597 MiB; mixed 20.1 req/s;
#   1 × 8: 22.9 req/s, 23 ms CPU, 149 MiB (one core at most: the GIL); 3 × 2, 2 × 2 and 5 × 1 at 15-16 req/s.
# Every thread may hold a database connection: workers × threads connections per web node (pgbouncer's pool).
# Measured on 2 cores only; on a bigger node re-run the measure (WEB_CONCURRENCY, WEB_THREADS override).
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# No preload_app: without a broker server each worker process starts its own job thread (config/wsgi.py),
# which a fork after loading would lose.
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
