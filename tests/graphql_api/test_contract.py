"""frontend_schema/ is the contract with the web client and partners."""

from graphql_api import contract
from graphql_api.declare import Requires
from graphql_api.schema import schema


def test_committed_sdl_matches_the_live_schema():
    assert contract.committed_sdl() == contract.live_sdl(), "frontend_schema/schema.graphql is stale: run `make schema`"


def test_every_operation_validates_and_is_named():
    assert list(contract.OPERATIONS.glob("*.graphql")), "no operations found"
    assert contract.operation_errors(contract.live_sdl()) == {}


def test_the_operation_check_catches_a_broken_operation(tmp_path, monkeypatch):
    (tmp_path / "broken.graphql").write_text("query Broken { organizations { totalCount noSuchField } }\n{ me { username } }")
    monkeypatch.setattr(contract, "OPERATIONS", tmp_path)
    problems = contract.operation_errors(contract.live_sdl())["broken.graphql"]
    assert any("noSuchField" in p for p in problems)
    assert any("has no name" in p for p in problems)


def test_breaking_changes_are_listed():
    live = contract.live_sdl()
    without_field = live.replace("  divisionCode: String!\n", "", 1)
    breaking, _ = contract.changes(live, without_field)
    assert any("divisionCode" in line for line in breaking)
    assert contract.changes(live, live) == ([], [])


def test_every_root_field_declares_its_permission():
    undeclared = []
    for root in (schema.query, schema.mutation):
        for field in root.__strawberry_definition__.fields:
            if not any(isinstance(ext, Requires) for ext in field.extensions):
                undeclared.append(f"{root.__name__}.{field.name}")
    assert undeclared == []


def test_declared_permissions_show_in_the_sdl():
    sdl = contract.live_sdl()
    assert "需要权限 / Requires: orgs.manage_organization" in sdl
    assert "公开 / Public" in sdl
