"""The cycle collector as a web worker runs it (issue 15).

``settle()`` runs once a worker has loaded what it keeps for its life (Django's apps, the URLconf and with it the
GraphQL schema):

- what is loaded is moved out of the collector's reach (``gc.freeze``): a full collection walked those ~200,000
  objects again every few hundred requests, 140-170 ms each (timed with gc.callbacks on the county page
  in-process); frozen, it walks only what requests left behind;
- the youngest generation is collected after ``YOUNG_THRESHOLD`` new container objects, not Python's 700. A page
  of 50 children builds a few thousand at its peak, so the collector ran about once per page, in the middle of it,
  for 1.0-1.5 ms each time (7-10% of the page's CPU in-process) and found nothing to free: a request's objects are
  freed by their reference counts when it ends. What requests do leave in cycles (an exception's traceback and
  frames) is collected once that many have gathered, a few MiB per worker at most.

bench.run's in-process profile settles its process the same way and reports the collector's time per page; the
server's figures before and after are in docs/benchmarks.md.
"""

import gc

YOUNG_THRESHOLD = 50_000


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
