from core.errors import ErrorCode


class CaseErrorCode(ErrorCode):
    TEXT_REQUIRED = ("请填写内容。", "Please write something.")
    DATE_IN_FUTURE = ("日期不能晚于今天。", "The date cannot be in the future.")
    DATE_IN_PAST = ("期限不能早于今天。", "The due date cannot be in the past.")
    INVALID_CHOICE = ("“{value}”不是有效的选项。", "“{value}” is not a valid choice.")
    CASE_CLOSED = ("该个案已结案，请先重新立案。", "The case is closed; reopen it first.")
    CASE_OPEN = ("该个案正在进行中。", "The case is already open.")
    ANONYMIZED = ("该档案已匿名化，不能修改。", "The record is anonymized and cannot change.")
    OWNER_NOT_STAFF = ("负责人须为可在该组织开展个案工作的工作人员。",
                       "The owner must be a staff member doing case work at this organization.")
    UNIT_REQUIRED = ("转介合作单位时请选择单位。", "Choose the partner unit to refer to.")
    ACCESS_DAYS = ("查阅期限应为 1 至 {limit} 天。", "The access period must be 1 to {limit} days.")
    STATUS_BACKWARDS = ("状态只能向后推进。", "The status can only move forward.")
    RECEIVER_MAY_NOT_CLOSE = ("接收方不能关闭转介。", "The receiver cannot close a referral.")
    FIELD_REQUIRED = ("请填写此项。", "This is required for this kind of service.")
    INVALID_AMOUNT = ("金额应大于 0。", "The amount must be above zero.")
    INVALID_MINUTES = ("时长应为 1 至 600 分钟。", "The length must be 1 to 600 minutes.")
