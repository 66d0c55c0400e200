from typing import Optional

import strawberry
from strawberry import Info, relay

from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.enums import to_choice
from graphql_api.errors import decode_id, error_type, run
from graphql_api.orgs.types import KindEnum, LevelEnum, OrganizationType, SystemEnum
from orgs import services
from orgs.errors import OrgErrorCode
from orgs.models import Kind, Level, System

MANAGE = "orgs.manage_organization"
OrganizationError = error_type("OrganizationError", OrgErrorCode)


def _org_id(global_id, field="id"):
    return decode_id(global_id, "Organization", field)


def _fields(data) -> dict:
    return {
        "name": data.name,
        "short_name": data.short_name,
        "system": to_choice(System, data.system),
        "kind": to_choice(Kind, data.kind),
        "level": to_choice(Level, data.level),
        "division_code": data.division_code,
    }


@strawberry.input
class CreateOrganizationInput:
    parent_id: Optional[relay.GlobalID]
    name: str
    system: SystemEnum
    kind: KindEnum
    level: LevelEnum
    short_name: Optional[str] = None
    division_code: Optional[str] = None


@strawberry.input
class UpdateOrganizationInput:
    id: relay.GlobalID
    name: Optional[str] = None
    short_name: Optional[str] = None
    system: Optional[SystemEnum] = None
    kind: Optional[KindEnum] = None
    level: Optional[LevelEnum] = None
    division_code: Optional[str] = None


@strawberry.input
class MoveOrganizationInput:
    id: relay.GlobalID
    new_parent_id: relay.GlobalID


@strawberry.input
class MergeOrganizationsInput:
    source_id: relay.GlobalID = strawberry.field(description="被合并并归档的组织 / Merged away and archived")
    target_id: relay.GlobalID = strawberry.field(description="保留的组织 / The survivor")


@strawberry.input
class ArchiveOrganizationInput:
    id: relay.GlobalID


@strawberry.type
class OrganizationPayload:
    organization: Optional[OrganizationType] = None
    errors: list[OrganizationError]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(MANAGE), description="创建下级组织 / Create a sub-organization")
    def create_organization(self, info: Info, input: CreateOrganizationInput) -> OrganizationPayload:
        actor = actor_of(info)
        return run(OrganizationPayload, OrganizationError, lambda: {"organization": services.create_organization(
            actor, parent_id=_org_id(input.parent_id, "parentId"), **_fields(input))})

    @strawberry.mutation(extensions=requires(MANAGE), description="修改组织 / Update an organization")
    def update_organization(self, info: Info, input: UpdateOrganizationInput) -> OrganizationPayload:
        actor = actor_of(info)
        return run(OrganizationPayload, OrganizationError, lambda: {"organization": services.update_organization(
            actor, organization_id=_org_id(input.id), **_fields(input))})

    @strawberry.mutation(extensions=requires(MANAGE), description="移动组织及其下级 / Move a subtree")
    def move_organization(self, info: Info, input: MoveOrganizationInput) -> OrganizationPayload:
        actor = actor_of(info)
        return run(OrganizationPayload, OrganizationError, lambda: {"organization": services.move_organization(
            actor, organization_id=_org_id(input.id), new_parent_id=_org_id(input.new_parent_id, "newParentId"))})

    @strawberry.mutation(extensions=requires(MANAGE), description="合并组织 / Merge one organization into another")
    def merge_organizations(self, info: Info, input: MergeOrganizationsInput) -> OrganizationPayload:
        actor = actor_of(info)
        return run(OrganizationPayload, OrganizationError, lambda: {"organization": services.merge_organizations(
            actor, source_id=_org_id(input.source_id, "sourceId"), target_id=_org_id(input.target_id, "targetId"))})

    @strawberry.mutation(extensions=requires(MANAGE), description="归档组织 / Archive an organization")
    def archive_organization(self, info: Info, input: ArchiveOrganizationInput) -> OrganizationPayload:
        actor = actor_of(info)
        return run(OrganizationPayload, OrganizationError, lambda: {"organization": services.archive_organization(
            actor, organization_id=_org_id(input.id))})
