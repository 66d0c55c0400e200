"""Django's Redis cache with one redis-py client per connection pool, instead of a new one per operation.

Django's ``RedisCacheClient.get_client`` builds a ``redis.Redis`` for every get or set, and each one fills its table of
some 170 response callbacks: about 0.1 ms of CPU, as much as the round trip itself, on every request (the session is
read on each). A client holds no connection of its own (it borrows one from the pool per command), and Django keeps
one cache object per thread, so keeping the client changes nothing else.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
