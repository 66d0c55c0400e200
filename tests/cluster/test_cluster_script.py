"""platform/cluster/cluster.py keeps to its own checkout: its RabbitMQ vhost is named after the checkout, and
``down`` flushes Redis DB 8 only if no other checkout's cluster has marked it as its own."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "platform" / "cluster" / "cluster.py"


def load(monkeypatch, cluster_dir: Path):
    monkeypatch.setenv("CLUSTER_DIR", str(cluster_dir))
    spec = importlib.util.spec_from_file_location("cluster_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeRedis:
    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value):
        self.data[key] = value.encode()

    def flushdb(self):
        self.data.clear()


def test_two_checkouts_have_their_own_vhost(monkeypatch, tmp_path):
    one, other = load(monkeypatch, tmp_path / "a" / "var" / "cluster"), load(monkeypatch, tmp_path / "b" / "var" / "cluster")
    assert one.VHOST != other.VHOST and one.VHOST.startswith("platform_cluster_")
    one.CLUSTER.mkdir(parents=True)  # where app_env keeps the generated secrets
    assert one.app_env()["RABBITMQ_URL"].endswith("/" + one.VHOST)


def test_down_flushes_redis_only_when_no_other_checkouts_cluster_marked_it(monkeypatch, tmp_path):
    import redis

    fake = FakeRedis()
    monkeypatch.setattr(redis.Redis, "from_url", lambda url: fake)
    ours, theirs = load(monkeypatch, tmp_path / "a" / "var" / "cluster"), load(monkeypatch, tmp_path / "b" / "var" / "cluster")

    theirs.claim_redis()
    fake.data["session:theirs"] = b"signed in"
    ours.release_redis()
    assert b"signed in" in fake.data.values()  # the other cluster may be running: left alone

    ours.claim_redis()
    ours.release_redis()
    assert fake.data == {}  # our own: flushed

    fake.data["left over"] = b"x"
    ours.release_redis()
    assert fake.data == {}  # unmarked (as before the mark existed): flushed
