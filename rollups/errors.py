from core.errors import ErrorCode


class RollupErrorCode(ErrorCode):
    PERIOD_INVALID = ("统计期间不正确：{detail}", "The period is not valid: {detail}")
    NOT_REFRESHED = ("统计尚未生成，请稍后再试。", "The figures have not been computed yet; try again shortly.")
    NO_DIVISION = ("该组织没有行政区划代码，无法按区划汇总。", "This organization has no division code to break down by.")
