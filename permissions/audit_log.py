"""Reading the audit log (操作日志): its filters and labels. What each reader may see of an entry's changes is
masked by the policy its domain registered (permissions.masking.audit_changes: children's records by
children/privacy.py), on the screen and in the export (accounts/audit_export.py) alike. Who may read which
entries is the Scope (``permissions.view_audit``), as everywhere.
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db.models import Q, QuerySet

from core.errors import ErrorCode, Texts
from orgs.models import Organization
from permissions.actor import Actor
from permissions.models import AuditEntry

VIEW = "permissions.view_audit"


ACTIONS = {
    "account.create": ("创建账号", "Account created"),
    "account.update": ("修改账号资料", "Account edited"),
    "account.deactivate": ("停用账号", "Account deactivated"),
    "account.reactivate": ("启用账号", "Account reactivated"),
    "account.password_reset": ("重置密码", "Password reset"),
    "account.password_reissue": ("重新生成初始密码", "Initial password issued again"),
    "account.password_change": ("修改密码", "Password changed"),
    "account.unlock": ("解除锁定", "Account unlocked"),
    "account.settings": ("修改通知设置", "Notification settings changed"),
    "account.import": ("批量创建账号", "Accounts imported"),
    "audit.export": ("导出操作日志", "Audit log exported"),
    "membership.grant": ("授予角色", "Role granted"),
    "membership.change": ("修改角色", "Role changed"),
    "membership.revoke": ("撤销角色", "Role revoked"),
    "token.create": ("创建接口令牌", "API token created"),
    "token.revoke": ("吊销接口令牌", "API token revoked"),
    "unit.member_add": ("添加单位成员", "Unit member added"),
    "unit.member_remove": ("移出单位成员", "Unit member removed"),
    "organization.create": ("新建组织", "Organization created"),
    "organization.update": ("修改组织", "Organization edited"),
    "organization.move": ("移动组织", "Organization moved"),
    "organization.merge": ("合并组织", "Organizations merged"),
    "organization.archive": ("归档组织", "Organization archived"),
    "pii.read": ("查看个人信息明文", "Personal data read"),
    "child.create": ("登记儿童档案", "Child registered"),
    "child.update": ("修改儿童档案", "Child's record edited"),
    "child.close": ("注销儿童档案", "Child's record closed"),
    "child.follow_up": ("记录走访", "Follow-up recorded"),
    "child.growth_entry": ("添加成长记录", "Growth entry added"),
    "child.consent": ("记录监护人同意", "Consent recorded"),
    "child.photo": ("上传儿童照片", "Child's photo added"),
    "child.share": ("共享儿童档案", "Child's record shared"),
    "child.transfer_request": ("申请转出档案", "Record transfer offered"),
    "child.transfer_request_in": ("申请调入档案", "Record transfer requested"),
    "child.transfer_accept": ("接收档案转移", "Record transfer accepted"),
    "child.transfer_decline": ("拒绝档案转移", "Record transfer declined"),
    "child.anonymize": ("匿名化儿童档案", "Child's record anonymized"),
    "children.export": ("导出儿童台账", "Children exported"),
    "wish.collect": ("征集心愿", "Wish collected"),
    "wish.review": ("审核心愿", "Wish reviewed"),
    "wish.return": ("退回心愿", "Wish returned"),
    "wish.resubmit": ("重新提交心愿", "Wish resubmitted"),
    "wish.publish": ("公示心愿", "Wish published"),
    "wish.prepare": ("备礼", "Gift prepared"),
    "wish.deliver": ("发放心愿", "Wish delivered"),
    "wish.fulfil": ("圆梦销号", "Wish fulfilled"),
    "wish.withdraw": ("撤回心愿", "Wish withdrawn"),
    "wish.close": ("心愿无法实现", "Wish closed"),
    "wish.escalate": ("交上级协调", "Wish escalated"),
    "wish.take_over": ("上级接办", "Wish taken over"),
    "wish.claim": ("认领心愿", "Wish claimed"),
    "wish.dispatch": ("派单", "Wish dispatched"),
    "wish.dispatch_accept": ("接受派单", "Dispatch accepted"),
    "wish.dispatch_decline": ("拒绝派单", "Dispatch declined"),
    "wish.claim_cancel": ("取消认领", "Claim cancelled"),
    "wish.revalue": ("修改心愿估价", "Wish value changed"),
    "donor.register": ("爱心人士登记", "Donor registered"),
    "unit_application.create": ("爱心单位申请", "Unit applied"),
    "unit_application.approve": ("通过爱心单位申请", "Unit application approved"),
    "unit_application.reject": ("退回爱心单位申请", "Unit application rejected"),
    "happy_home.create": ("新建快乐家园", "Happy home created"),
    "happy_home.update": ("修改快乐家园", "Happy home edited"),
    "happy_home.members": ("调整快乐家园成员", "Happy home members changed"),
    "happy_home.group": ("保存兴趣小组", "Interest group saved"),
    "holiday_project.create": ("新建七彩假期项目", "Holiday project created"),
    "service_point.create": ("新建服务点", "Service point created"),
    "service_point.report": ("填报服务点数据", "Service point figures reported"),
    "campaign.announce": ("发布行动通知", "Campaign announced"),
    "campaign.co_announce_accept": ("确认联合发起行动", "Joint announcement confirmed"),
    "campaign.co_announce_decline": ("谢绝联合发起行动", "Joint announcement declined"),
    "campaign.cover": ("调整行动覆盖范围", "Campaign coverage changed"),
    "activity.record": ("记录活动", "Activity recorded"),
    "volunteer.create": ("登记志愿者", "Volunteer registered"),
    "volunteer.update": ("修改志愿者", "Volunteer edited"),
    "service_hours.record": ("登记服务时长", "Hours recorded"),
    "service_hours.confirm": ("确认服务时长", "Hours confirmed"),
    "pairing.create": ("建立结对", "Pairing created"),
    "pairing.contact": ("记录结对联系", "Pairing contact recorded"),
    "pairing.tick": ("完成五个一事项", "Checklist item done"),
    "pairing.close": ("结束结对", "Pairing closed"),
    "pairing.overdue_reminder": ("结对超期提醒", "Overdue pairing reminded"),
    "report_request.open": ("发起报送", "Report request opened"),
    "report.save": ("保存报送", "Report saved"),
    "report.submit": ("提交报送", "Report submitted"),
    "report.withdraw": ("撤回报送", "Report withdrawn"),
    "report.approve": ("审核通过报送", "Report approved"),
    "report.return": ("退回报送", "Report returned"),
    "report.remind": ("报送截止提醒", "Report reminder"),
    "report.export": ("导出报送汇总", "Reports exported"),
    "ledger.export": ("导出台账", "Ledger exported"),
    "job.file_deleted": ("删除过期的任务文件", "Expired job file deleted"),
}


# The same (zh, en) rendering as every text: one member per action ("child.create" -> child__create).
ActionLabel = ErrorCode("ActionLabel", [(action.replace(".", "__"), pair) for action, pair in ACTIONS.items()])


class ActorText(Texts):
    SYSTEM = ("系统", "System")


def actor_label(entry: AuditEntry) -> str:
    """Who acted, as shown: the person's name or the token's, or 系统 for the platform's own tasks (the demo loader,
    the scheduler's reminders), whose stored label is a technical name."""
    if entry.actor_user_id is None and entry.actor_token_id is None:
        return ActorText.SYSTEM.render()
    return entry.actor_label


def action_label(action: str) -> str:
    label = ActionLabel.__members__.get(action.replace(".", "__"))
    return label.render() if label is not None else action


def target_label(target_type: str) -> str:
    """The model's name (verbose_name: Chinese) for a target type such as ``children.Child``."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


# Filters: the same for the list and the export ---------------------------------------------------------

def by_organization(organization_id, prefix: str = "") -> Q:
    """Entries of the organization's subtree (narrowing only: what is visible at all is the Scope)."""
    path = Organization.objects.filter(pk=organization_id).values_list("path", flat=True).first()
    return Q(**{f"{prefix}org_path__startswith": path}) if path else Q(pk__in=[])


def by_actor(value: str, prefix: str = "") -> Q:
    """The person by username or as shown (display name), or a token's label."""
    return Q(**{f"{prefix}actor_label": value}) | Q(**{f"{prefix}actor_user__username": value})


def condition(*, organization_id=None, action: str | None = None, actor: str | None = None,
              since: datetime | None = None, until: datetime | None = None) -> Q:
    q = Q()
    if organization_id is not None:
        q &= by_organization(organization_id)
    if action:
        q &= Q(action=action)
    if actor:
        q &= by_actor(actor)
    if since is not None:
        q &= Q(created_at__gte=since)
    if until is not None:
        q &= Q(created_at__lt=until)
    return q


def visible(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    return actor.visible(AuditEntry.objects.all() if queryset is None else queryset, VIEW)
