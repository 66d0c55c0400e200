import pytest


@pytest.fixture
def completed(monkeypatch):
    """The type names of the rows the fast path (graphql_api/fastpath.py) completed during the test."""
    from graphql_api import fastpath

    seen = []
    complete = fastpath._Selection.complete

    def spy(selection, executor, value, chain):
        if selection.row:
            seen.append(selection.type_name)
        return complete(selection, executor, value, chain)

    monkeypatch.setattr(fastpath._Selection, "complete", spy)
    return seen
