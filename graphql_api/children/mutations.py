from datetime import date, datetime
from typing import Optional

import strawberry
from strawberry import Info, relay

from children import services
from children.errors import ChildErrorCode
from graphql_api.children.types import ArrangementEnum, CategoryEnum, ChildType, NeedEnum, SexEnum, StatusEnum
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.errors import decode_id, error_type, run
from permissions.errors import PermissionsErrorCode

ChildError = error_type("ChildError", ChildErrorCode, PermissionsErrorCode)


@strawberry.input
class GuardianInput:
    name: str
    relation: str
    phone: str = ""


@strawberry.input
class CreateChildInput:
    organization_id: relay.GlobalID
    name: str
    sex: SexEnum
    id_number: str
    guardian_arrangement: ArrangementEnum
    birth_date: Optional[date] = strawberry.field(default=None, description="可省略：取自身份证号 / Optional: read from the ID number")
    categories: list[CategoryEnum] = strawberry.field(default_factory=list)
    needs: list[NeedEnum] = strawberry.field(default_factory=list)
    school: str = ""
    grade: str = ""
    home_division_code: str = ""
    address: str = ""
    parents_work_place: str = ""
    guardians: list[GuardianInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateChildInput:
    id: relay.GlobalID
    name: Optional[str] = None
    sex: Optional[SexEnum] = None
    id_number: Optional[str] = None
    birth_date: Optional[date] = None
    guardian_arrangement: Optional[ArrangementEnum] = None
    categories: Optional[list[CategoryEnum]] = None
    needs: Optional[list[NeedEnum]] = None
    school: Optional[str] = None
    grade: Optional[str] = None
    home_division_code: Optional[str] = None
    address: Optional[str] = None
    parents_work_place: Optional[str] = None
    guardians: Optional[list[GuardianInput]] = None


@strawberry.input
class CloseChildInput:
    id: relay.GlobalID
    status: StatusEnum
    reason: str = ""


@strawberry.input
class ShareChildInput:
    child_id: relay.GlobalID
    username: Optional[str] = None
    unit_id: Optional[relay.GlobalID] = None
    expires_at: Optional[datetime] = None


@strawberry.type
class ChildPayload:
    child: Optional[ChildType] = None
    errors: list[ChildError]


@strawberry.type
class ShareChildPayload:
    ok: bool = False
    errors: list[ChildError]


def _value(member):
    return None if member is None else member.value


def _fields(data) -> dict:
    fields = {
        "name": data.name, "sex": _value(data.sex), "id_number": data.id_number, "birth_date": data.birth_date,
        "guardian_arrangement": _value(data.guardian_arrangement), "school": data.school, "grade": data.grade,
        "home_division_code": data.home_division_code, "address": data.address, "parents_work_place": data.parents_work_place,
        "categories": None if data.categories is None else [c.value for c in data.categories],
        "needs": None if data.needs is None else [n.value for n in data.needs],
    }
    if data.guardians is not None:
        fields["guardians"] = [{"name": g.name.strip(), "relation": g.relation.strip(), "phone": g.phone.strip()} for g in data.guardians]
    return fields


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires("children.change_child"), description="登记儿童 / Register a child")
    def create_child(self, info: Info, input: CreateChildInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, lambda: {"child": services.create_child(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), **_fields(input))})

    @strawberry.mutation(extensions=requires("children.change_child"), description="修改儿童档案 / Update a record")
    def update_child(self, info: Info, input: UpdateChildInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, lambda: {"child": services.update_child(
            actor, child_id=decode_id(input.id, "Child"), **_fields(input))})

    @strawberry.mutation(extensions=requires("children.change_child"), description="结案或迁出 / Close a record with a reason")
    def close_child(self, info: Info, input: CloseChildInput) -> ChildPayload:
        actor = actor_of(info)
        return run(ChildPayload, ChildError, lambda: {"child": services.close_child(
            actor, child_id=decode_id(input.id, "Child"), status=input.status.value, reason=input.reason)})

    @strawberry.mutation(extensions=requires("permissions.manage_membership"),
                         description="向用户或单位共享一份档案（脱敏，可设到期） / Share one record, masked, until an expiry")
    def share_child(self, info: Info, input: ShareChildInput) -> ShareChildPayload:
        actor = actor_of(info)

        def action():
            services.share_child(actor, child_id=decode_id(input.child_id, "Child", "childId"), username=input.username,
                                        unit_id=decode_id(input.unit_id, "Organization", "unitId"), expires_at=input.expires_at)
            return {"ok": True}

        return run(ShareChildPayload, ChildError, action)
