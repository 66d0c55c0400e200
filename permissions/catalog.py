"""The permission catalogue and the roles built from it. Plain data: no model imports.

Permission names are ``<domain>.<action>`` (``children.view_child``). They are stored as Django Permission
rows on the Organization content type (codename = the part after the dot), because roles are granted as
django-guardian object permissions on an Organization and guardian ties a permission to its object's type.
"""

from django.db import models

from core.errors import english

PERMISSIONS: dict[str, str] = {
    "orgs.view_organization": "查看组织 / View organizations",
    "orgs.manage_organization": "管理下级组织 / Create, move, merge and archive organizations",
    "permissions.manage_membership": "管理成员与角色 / Grant and revoke roles",
    "permissions.manage_token": "管理接口令牌 / Create and revoke API tokens",
    "permissions.view_audit": "查看审计日志 / Read the audit log",
    "children.view_child": "查看儿童档案 / View children's records",
    "children.view_child_pii": "查看儿童个人信息明文 / View children's personal data unmasked",
    "children.change_child": "录入和修改儿童档案 / Create and change children's records",
    "children.transfer_child": "转移儿童档案 / Transfer children's records",
    "cases.view_case": "查看保护个案（文字需个人信息权限） / View child-protection cases (texts need view_child_pii)",
    "cases.change_case": "开展个案工作 / Assess risk, plan, record incidents, referrals and services",
    "wishes.view_wish": "查看微心愿 / View micro-wishes",
    "wishes.view_published_wish": "查看公示的微心愿 / View the published wish board",
    "wishes.change_wish": "管理微心愿 / Collect, review, publish and deliver micro-wishes",
    "wishes.claim_wish": "认领微心愿 / Claim micro-wishes",
    "wishes.dispatch_wish": "派单微心愿 / Dispatch micro-wishes to units",
    "programs.view_program": "查看项目 / View programs",
    "programs.change_program": "管理项目 / Run programs",
    "programs.confirm_hours": "确认服务时长 / Confirm volunteer hours",
    "rollups.view_rollup": "查看统计 / View rollup figures",
    "rollups.submit_report": "报送 / Submit reports",
    "rollups.approve_report": "审核报送 / Open, approve and return reports",
}


def permission_label(permission: str) -> str:
    """The permission's name in the active language (the catalogue holds "中文 / English")."""
    zh, en = PERMISSIONS[permission].split(" / ", 1)
    return en if english() else zh


def codename(permission: str) -> str:
    return permission.split(".", 1)[1]


ORGANIZATION_PERMISSIONS = [
    (codename(name), label) for name, label in PERMISSIONS.items() if name != "orgs.view_organization"
]


class Role(models.TextChoices):
    ORG_ADMIN = "ORG_ADMIN", "组织管理员"
    STAFF = "STAFF", "工作人员"
    DATA_ENTRY = "DATA_ENTRY", "信息录入员"
    VIEWER = "VIEWER", "查看"
    ROLLUP_VIEWER = "ROLLUP_VIEWER", "统计查看"
    AUDITOR = "AUDITOR", "审计"
    PARTNER = "PARTNER", "合作单位"


_ROWS = {
    "orgs.view_organization",
    "children.view_child",
    "cases.view_case",
    "wishes.view_wish",
    "wishes.view_published_wish",
    "programs.view_program",
    "rollups.view_rollup",
}
_WORK = {
    "children.change_child",
    "children.transfer_child",
    "cases.change_case",
    "wishes.change_wish",
    "wishes.dispatch_wish",
    "programs.change_program",
    "programs.confirm_hours",
    "rollups.submit_report",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ORG_ADMIN: frozenset(PERMISSIONS),
    Role.STAFF: frozenset(_ROWS | _WORK | {"children.view_child_pii", "rollups.approve_report", "wishes.claim_wish"}),
    Role.DATA_ENTRY: frozenset(_ROWS | {"children.change_child", "wishes.change_wish", "programs.change_program"}),
    Role.VIEWER: frozenset(_ROWS),
    Role.ROLLUP_VIEWER: frozenset({"orgs.view_organization", "rollups.view_rollup"}),
    Role.AUDITOR: frozenset({"orgs.view_organization", "permissions.view_audit", "rollups.view_rollup"}),
    Role.PARTNER: frozenset({"orgs.view_organization", "wishes.view_published_wish", "wishes.claim_wish"}),
}

assert all(p in PERMISSIONS for perms in ROLE_PERMISSIONS.values() for p in perms)
