import pytest


@pytest.fixture
def completed(monkeypatch):
    """The type names of the rows the fast path (graphql_api/fastpath.py) completed during the test: the functions
    written for rows record each call (selections compiled afresh for the test, so that none was written before)."""
    from graphql_api import fastpath
    from graphql_api.bynodes import ByNodes

    seen = []
    written = fastpath._written

    def spy(executor, object_type, fields, row, plan):
        write = written(executor, object_type, fields, row, plan)
        if not row:
            return write

        def recorded(executor, value, chain):
            seen.append(object_type.name)
            return write(executor, value, chain)

        return recorded

    monkeypatch.setattr(fastpath, "_COMPILED", ByNodes())
    monkeypatch.setattr(fastpath, "_written", spy)
    return seen
