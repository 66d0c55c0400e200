# gunicorn -c platform/gunicorn.conf.py config.wsgi  (run from the repository root)
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Process model, chosen by measurement (python -m bench.procmodel; docs/benchmarks.md "Process model"), not by the
# 2 × cores + 1 rule: a worker per core and one more, 2 threads each. A request is mostly Python (it holds the
# GIL), so a worker runs one request at a time on one core and its second thread only runs while a request waits
# on PostgreSQL or Redis. With 4 threads a request coming back from PostgreSQL queued for its worker's GIL behind
# up to three others (p50 under load twice as long); the extra worker keeps the cores busy while some wait.
# County scale, 2 cores, the masked 50-row page, medians of 3 rounds, three runs (2026-11-30 at 11 ms of server
# CPU per page, 2026-12-01 before and after the collector's threshold, config/collector.py, at 16-17 ms on a
# slower machine):
#   3 × 2: 8 clients 141.6 / 89.6 / 85.0 req/s, p50 34 / 52 / 72 ms; 16 clients p50 39 / 137 / 97 ms;
#          mixed load (pages, dashboard, a write) 104.0 / 79.8 / 59.1 req/s; ~400 MiB;
#   2 × 4: 8 clients 137.1 / 87.9 / 82.6 req/s, p50 51 / 88 / 85 ms; 16 clients p50 121 / 194 / 207 ms;
#          mixed 103.3 / 64.7 / 52.8 req/s; ~280 MiB;
#   4 × 2: 92.0 / 82.2 req/s (the last two runs), mixed 76.4 / 48.2; 5 × 2: 126 req/s in the first; 1 × 8: half
#   (one core at most: the GIL).
# Requests per second are within the rounds' ranges of each other; 3 × 2 had the higher median in 8 of 9 measures
# and the shorter p50 in all six, for 120 MiB more. Again on 2026-12-02 at 4 ms of CPU per page: every model within
# 4% (3 × 2 315 req/s, 3 × 1 327, 4 × 1 320, 2 × 2 325 at 8 clients); 3 × 1 had the shorter p50 (11 ms against 21)
# and 3 × 2 the shorter p95 (48 against 58), so 3 × 2 stays (platform/README.md).
# Every thread may hold a database connection: workers × threads connections per web node (pgbouncer's pool).
# Measured on 2 cores only; on a bigger node re-run the measure (WEB_CONCURRENCY, WEB_THREADS override).
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0)) + 1))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# No preload_app: without a broker server each worker process starts its own job thread (config/wsgi.py),
# which a fork after loading would lose.
# No access log of gunicorn's own by default: nginx in front logs every request (platform/nginx.conf.example), and
# formatting and writing the line again cost ~4% of a 10-row page's time in the worker (py-spy, county).
# ACCESS_LOG=- writes it to stdout (a node without nginx), or a file path.
accesslog = os.environ.get("ACCESS_LOG") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
