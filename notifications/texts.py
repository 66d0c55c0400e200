"""The words of every notification, as (中文, English) pairs rendered in the recipient's language.

Parameters are organization names, titles of report requests, dates, counts and kinds, never anything from a
child's record: these texts may leave the platform by e-mail or SMS.
"""

from core.errors import ErrorCode


class NotificationText(ErrorCode):
    """Rendered like an error code's message (one language: the recipient's)."""

    REPORT_REQUESTED_TITLE = ("新的报送任务：{title}", "New report request: {title}")
    REPORT_REQUESTED_BODY = ("{superior}请{organization}在 {deadline} 前报送。",
                             "{superior} asks {organization} to report by {deadline}.")
    REPORT_DUE_TITLE = ("报送即将截止：{title}", "Report due soon: {title}")
    REPORT_DUE_BODY = ("{organization}尚未报送，截止日期 {deadline}（还剩 {days} 天）。",
                       "{organization} has not reported yet; the deadline is {deadline} ({days} days left).")
    REPORT_OVERDUE_TITLE = ("报送已逾期：{title}", "Report overdue: {title}")
    REPORT_OVERDUE_BODY = ("{organization}的报送已过截止日期 {deadline}，请尽快报送。",
                           "{organization}'s report was due on {deadline}; please report now.")
    REPORT_SUBMITTED_TITLE = ("报送待审核：{title}", "Report to approve: {title}")
    REPORT_SUBMITTED_BODY = ("{organization}已报送，请审核。", "{organization} has reported; please review it.")
    REPORT_RETURNED_TITLE = ("报送被退回：{title}", "Report returned: {title}")
    REPORT_RETURNED_BODY = ("{superior}退回了{organization}的报送，请按审核意见修改后重新报送。",
                            "{superior} returned {organization}'s report; revise it as commented and submit again.")
    WISHES_TO_REVIEW_TITLE = ("有新的心愿待审核", "New wishes to review")
    WISHES_TO_REVIEW_BODY = ("{organization}有新征集的微心愿待审核。", "{organization} has newly collected wishes to review.")
    WISHES_TO_PUBLISH_TITLE = ("有心愿待公示", "Wishes to publish")
    WISHES_TO_PUBLISH_BODY = ("{organization}有已审核的微心愿待公示。", "{organization} has reviewed wishes to publish.")
    WISH_TO_DELIVER_TITLE = ("心愿已认领完成，待发放", "A wish is claimed: deliver it")
    WISH_TO_DELIVER_BODY = ("{organization}的一个微心愿已认领完成，请备礼并发放。",
                            "A wish of {organization} is fully claimed; prepare and deliver the gift.")
    DISPATCH_RECEIVED_TITLE = ("收到派单：请在 {deadline} 前回复", "A wish dispatched to you: answer by {deadline}")
    DISPATCH_RECEIVED_BODY = ("{organization}向{unit}派单了一个微心愿，请接单或拒绝。",
                              "{organization} dispatched a wish to {unit}; accept or decline it.")
    UNIT_APPLICATION_TITLE = ("爱心单位申请待审核", "A unit applies to claim wishes")
    UNIT_APPLICATION_BODY = ("{unit}申请成为{organization}的爱心单位，请审核。",
                             "{unit} applies to claim the wishes of {organization}; decide it.")
    UNIT_APPLICATION_APPROVED_TITLE = ("爱心单位申请已通过", "Your unit's application is approved")
    UNIT_APPLICATION_REJECTED_TITLE = ("爱心单位申请未通过", "Your unit's application is not approved")
    UNIT_APPLICATION_DECIDED_BODY = ("{organization}审核了{unit}的申请：{reason}", "{organization} decided on {unit}: {reason}")
    DISPATCH_EXPIRING_TITLE = ("派单即将超时", "A dispatch is about to expire")
    DISPATCH_EXPIRING_BODY = ("{organization}派给{unit}的微心愿将于 {deadline} 超时，请尽快回复。",
                              "The wish {organization} dispatched to {unit} expires at {deadline}; answer soon.")
    TRANSFER_OFFERED_TITLE = ("儿童档案转移待接收", "A child's record to accept")
    TRANSFER_OFFERED_BODY = ("{sender}向{receiver}转移一份儿童档案，请接收或拒绝。",
                             "{sender} is transferring a child's record to {receiver}; accept or decline it.")
    TRANSFER_ASKED_TITLE = ("儿童档案调入申请待处理", "A request for a child's record")
    TRANSFER_ASKED_BODY = ("{receiver}申请调入{sender}的一份儿童档案，请同意或拒绝。",
                           "{receiver} asks {sender} for a child's record; agree or decline.")
    TRANSFER_WAITING_TITLE = ("儿童档案转移已等待 {days} 天", "A record transfer has waited {days} days")
    TRANSFER_WAITING_BODY = ("{sender}与{receiver}之间的一份儿童档案转移仍待处理，请尽快处理。",
                             "A child's record transfer between {sender} and {receiver} is still waiting; please decide.")
    HOURS_TO_CONFIRM_TITLE = ("有志愿服务时长待确认", "Volunteer hours to confirm")
    HOURS_TO_CONFIRM_BODY = ("{organization}有新登记的志愿服务时长待确认。", "{organization} has newly recorded hours to confirm.")
    PAIRING_OVERDUE_TITLE = ("结对帮扶超期未联系", "A pairing is overdue for contact")
    PAIRING_OVERDUE_BODY = ("{organization}的一项结对帮扶（{pairing_kind}，卡号 {card}）应在 {due} 前联系，已超期，请尽快联系。",
                            "A pairing of {organization} ({pairing_kind}, card {card}) was due for contact by {due}; please get in touch.")
    JOB_SUCCEEDED_TITLE = ("任务已完成：{kind}", "Job finished: {kind}")
    JOB_FAILED_TITLE = ("任务失败：{kind}", "Job failed: {kind}")
    CAMPAIGN_INVITATION_TITLE = ("联合发起邀请：{campaign}", "Invited to announce jointly: {campaign}")
    CAMPAIGN_INVITATION_BODY = ("{announcer}邀请{organization}联合发起“{campaign}”，请确认或谢绝。",
                                "{announcer} invites {organization} to announce “{campaign}” jointly; "
                                "confirm or decline.")
    GRAVE_INCIDENT_TITLE = ("严重事件：{organization}", "Grave incident: {organization}")
    GRAVE_INCIDENT_BODY = ("{organization}报告了一起严重的“{kind}”事件，该儿童已列为高风险，请督促跟进处置。",
                           "{organization} reported a grave incident ({kind}); the child is now at high risk. "
                           "Please see that it is followed up.")
