from core.errors import ErrorCode


class RollupErrorCode(ErrorCode):
    PERIOD_INVALID = ("统计期间不正确：{detail}", "The period is not valid: {detail}")
    NOT_REFRESHED = ("统计尚未生成，请稍后再试。", "The figures have not been computed yet; try again shortly.")
    NO_DIVISION = ("该组织没有行政区划代码，无法按区划汇总。", "This organization has no division code to break down by.")


class ReportErrorCode(ErrorCode):
    TITLE_REQUIRED = ("请填写报送标题。", "The request needs a title.")
    DEADLINE_PASSED = ("报送截止日期不能早于今天。", "The deadline cannot be in the past.")
    NO_ADDRESSEES = ("没有可报送的直属下级组织。", "There is no direct child organization to ask.")
    NOT_DIRECT_CHILD = ("只能向直属下级组织发起报送。", "A request can only be addressed to direct child organizations.")
    ANSWERS_ELSEWHERE = ("所回应的报送须是上级发给本组织的。",
                         "The request answered must be one your superior addressed to this organization.")
    NOT_ADDRESSED = ("该报送任务没有发给“{organization}”。", "This request is not addressed to “{organization}”.")
    LOCKED = ("报送已审核通过，不能再修改。", "The report has been approved and is locked.")
    ILLEGAL_TRANSITION = ("报送当前状态（{state}）不允许此操作。", "This is not possible while the report is {state}.")
    COMMENT_REQUIRED = ("退回时请填写意见。", "Please say why the report is returned.")
    FIGURE_INVALID = ("数据项“{metric}”不正确（须为不小于 0 的数）。", "The figure “{metric}” must be a number of at least 0.")
    FIGURES_CHANGED = ("报送数据与下级当前统计不一致（{detail}），请核对后确认审核通过。",
                       "The figures no longer match the subtree ({detail}); confirm to approve anyway.")
