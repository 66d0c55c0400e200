from datetime import datetime
from typing import Optional

import strawberry
from django.contrib.auth import update_session_auth_hash
from strawberry import Info, relay
from strawberry.file_uploads import Upload

from accounts import excel, services
from accounts.errors import AccountErrorCode
from accounts.models import Language
from children.errors import ChildErrorCode
from graphql_api.access.types import RoleEnum
from graphql_api.accounts.gate import forget
from graphql_api.accounts.types import AccountType, LanguageEnum, MySettings, my_settings
from graphql_api.context import actor_of
from graphql_api.declare import authenticated, requires
from graphql_api.enums import to_choice
from graphql_api.errors import decode_id, error_type, run
from graphql_api.jobs.types import JobType
from accounts import audit_export
from permissions.catalog import Role
from permissions.errors import PermissionsErrorCode

MANAGE = "permissions.manage_membership"
AccountError = error_type("AccountError", AccountErrorCode, PermissionsErrorCode)
ImportAccountsError = error_type("ImportAccountsError", AccountErrorCode, ChildErrorCode)


@strawberry.input
class CreateAccountInput:
    username: str = strawberry.field(description="登录用户名：3–30 位字母、数字或 . _ - @ + / 3–30 letters, digits or . _ - @ +")
    display_name: str = strawberry.field(description="姓名 / The person's name")
    organization_id: relay.GlobalID = strawberry.field(description="所属组织，角色授予于此 / Home organization, where the role is granted")
    role: RoleEnum
    phone: str = ""
    email: str = ""
    subtree: bool = strawberry.field(default=True, description="角色含下级组织 / The role applies below too")
    expires_at: Optional[datetime] = strawberry.field(default=None, description="角色到期时间 / When the role expires")


@strawberry.input
class UpdateAccountInput:
    id: relay.GlobalID
    display_name: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None


@strawberry.input
class AccountIdInput:
    id: relay.GlobalID


@strawberry.input
class ChangeMyPasswordInput:
    old_password: str
    new_password: str


@strawberry.input
class UpdateMySettingsInput:
    phone: Optional[str] = None
    email: Optional[str] = None
    notify_by_email: Optional[bool] = strawberry.field(default=None, description="邮件通知（需填写邮箱） / E-mail (needs an address)")
    notify_by_sms: Optional[bool] = strawberry.field(default=None, description="短信通知（需填写手机号） / SMS (needs a mobile number)")
    language: Optional[LanguageEnum] = None


@strawberry.input
class ImportAccountsInput:
    organization_id: relay.GlobalID = strawberry.field(description="导入到该组织及其下级 / Accounts at this organization or below")
    file: Upload = strawberry.field(description=".xlsx：用户名、姓名、角色（必填），手机号、邮箱、组织、到期日期 / "
                                                ".xlsx: 用户名, 姓名, 角色 required; 手机号, 邮箱, 组织, 到期日期")


@strawberry.input
class ExportAuditLogInput:
    organization_id: Optional[relay.GlobalID] = strawberry.field(default=None, description="该组织及其下级 / This subtree")
    action: Optional[str] = None
    actor: Optional[str] = strawberry.field(default=None, description="用户名或姓名 / Username or name")
    since: Optional[datetime] = None
    until: Optional[datetime] = None


@strawberry.type
class AccountPayload:
    account: Optional[AccountType] = None
    errors: list[AccountError]


@strawberry.type
class AccountPasswordPayload:
    account: Optional[AccountType] = None
    initial_password: Optional[str] = strawberry.field(
        default=None, description="初始密码，仅此一次显示，首次登录须修改 / The initial password, shown this once; "
                                  "it must be changed at the first sign-in")
    errors: list[AccountError]


@strawberry.type
class ChangeMyPasswordPayload:
    ok: bool = False
    errors: list[AccountError]


@strawberry.type
class UpdateMySettingsPayload:
    settings: Optional[MySettings] = None
    errors: list[AccountError]


@strawberry.type
class ImportAccountsPayload:
    job: Optional[JobType] = None
    errors: list[ImportAccountsError]


@strawberry.type
class ExportAuditLogPayload:
    job: Optional[JobType] = None
    errors: list[AccountError]


def _account_id(input) -> int:
    return decode_id(input.id, "Account")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(MANAGE), description=(
        "为本组织或下级组织创建工作人员账号并授予角色；返回一次性初始密码 / "
        "Create a staff account at or below your organization with a role; returns a one-time password"))
    def create_account(self, info: Info, input: CreateAccountInput) -> AccountPasswordPayload:
        actor = actor_of(info)

        def action():
            user, password = services.create_account(
                actor, username=input.username, display_name=input.display_name, phone=input.phone, email=input.email,
                organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
                role=to_choice(Role, input.role), subtree=input.subtree, expires_at=input.expires_at)
            return {"account": user, "initial_password": password}

        return run(AccountPasswordPayload, AccountError, action)

    @strawberry.mutation(extensions=requires(MANAGE), description="修改账号的姓名、手机号、邮箱 / Edit an account's name, phone, e-mail")
    def update_account(self, info: Info, input: UpdateAccountInput) -> AccountPayload:
        actor = actor_of(info)
        return run(AccountPayload, AccountError, lambda: {"account": services.update_account(
            actor, user_id=_account_id(input), display_name=input.display_name, phone=input.phone, email=input.email)})

    @strawberry.mutation(extensions=requires(MANAGE), description="停用账号（保留角色，可再启用） / Deactivate an account")
    def deactivate_account(self, info: Info, input: AccountIdInput) -> AccountPayload:
        actor = actor_of(info)
        return run(AccountPayload, AccountError, lambda: {"account": services.set_active(
            actor, user_id=_account_id(input), active=False)})

    @strawberry.mutation(extensions=requires(MANAGE), description="重新启用账号 / Reactivate an account")
    def reactivate_account(self, info: Info, input: AccountIdInput) -> AccountPayload:
        actor = actor_of(info)
        return run(AccountPayload, AccountError, lambda: {"account": services.set_active(
            actor, user_id=_account_id(input), active=True)})

    @strawberry.mutation(extensions=requires(MANAGE), description=(
        "重置密码：返回一次性初始密码，下次登录须修改 / Reset a password: a one-time password, changed at next sign-in"))
    def reset_password(self, info: Info, input: AccountIdInput) -> AccountPasswordPayload:
        actor = actor_of(info)

        def action():
            user, password = services.reset_password(actor, user_id=_account_id(input))
            return {"account": user, "initial_password": password}

        return run(AccountPasswordPayload, AccountError, action)

    @strawberry.mutation(extensions=requires(MANAGE), description="解除登录失败锁定 / Unlock an account locked out by failed sign-ins")
    def unlock_account(self, info: Info, input: AccountIdInput) -> AccountPayload:
        actor = actor_of(info)
        return run(AccountPayload, AccountError, lambda: {"account": services.unlock_account(actor, user_id=_account_id(input))})

    @strawberry.mutation(extensions=authenticated(), description="修改我的密码（首次登录必须） / Change your own password")
    def change_my_password(self, info: Info, input: ChangeMyPasswordInput) -> ChangeMyPasswordPayload:
        actor, request = actor_of(info), info.context.request

        def action():
            user = services.change_my_password(actor, old_password=input.old_password, new_password=input.new_password)
            update_session_auth_hash(request, user)  # this session stays signed in; others end
            forget(request)
            return {"ok": True}

        return run(ChangeMyPasswordPayload, AccountError, action)

    @strawberry.mutation(extensions=authenticated(), description="修改我的联系方式与通知渠道 / Change your contact details and channels")
    def update_my_settings(self, info: Info, input: UpdateMySettingsInput) -> UpdateMySettingsPayload:
        actor = actor_of(info)

        def action():
            services.update_my_settings(actor, phone=input.phone, email=input.email, notify_by_email=input.notify_by_email,
                                        notify_by_sms=input.notify_by_sms,
                                        language=to_choice(Language, input.language))
            return {"settings": my_settings(actor.user)}

        return run(UpdateMySettingsPayload, AccountError, action)

    @strawberry.mutation(extensions=requires(MANAGE), description=(
        "从 Excel 批量创建账号（后台任务，逐行报告；结果文件含初始密码，只能下载一次） / "
        "Create accounts from an Excel sheet as a job with a per-row report (with the passwords: downloadable once)"))
    def import_accounts(self, info: Info, input: ImportAccountsInput) -> ImportAccountsPayload:
        actor = actor_of(info)
        return run(ImportAccountsPayload, ImportAccountsError, lambda: {"job": excel.start_import(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), upload=input.file)})

    @strawberry.mutation(extensions=requires("permissions.view_audit"), description=(
        "导出操作日志为 Excel（后台任务，按阅读人脱敏，与页面一致） / Export the audit log to Excel as a job, masked as on screen"))
    def export_audit_log(self, info: Info, input: ExportAuditLogInput) -> ExportAuditLogPayload:
        actor = actor_of(info)
        return run(ExportAuditLogPayload, AccountError, lambda: {"job": audit_export.start_export(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
            action=input.action, actor=input.actor, since=input.since, until=input.until)})
