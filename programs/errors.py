from core.errors import ErrorCode


class ProgramErrorCode(ErrorCode):
    NAME_REQUIRED = ("请填写名称。", "A name is required.")
    DATES_REVERSED = ("结束日期不能早于开始日期。", "The end date cannot be before the start date.")
    INVALID_AMOUNT = ("金额或数量不能为负数。", "Amounts and counts cannot be negative.")
    INVALID_HOURS = ("服务时长须在 0.5 到 24 小时之间。", "Hours must be between 0.5 and 24.")
    FUTURE_DATE = ("日期不能晚于今天。", "The date cannot be in the future.")
    NOT_IN_SUBTREE = ("该组织不在“{organization}”的下级范围内。", "That organization is not under “{organization}”.")
    OUTSIDE_PROJECT = ("服务点日期须在项目的 {starts_on} 至 {ends_on} 之间。",
                       "A service point's dates must fall within the project's {starts_on} to {ends_on}.")
    ONE_PLACE = ("请选择快乐家园或服务点（二选一）。", "Name either a happy home or a service point.")
    ALREADY_CONFIRMED = ("该服务时长已确认。", "These hours have already been confirmed.")
    PAIRING_SIDES = ("“{kind}”结对需要：{needs_zh}。", "A “{kind}” pairing needs: {needs_en}.")
    PAIRING_CLOSED = ("该结对已结束。", "This pairing has ended.")
    NOT_A_CHECKLIST = ("只有“大手拉小手”结对有“五个一”清单。", "Only 大手拉小手 pairings have the 五个一 checklist.")
    ALREADY_TICKED = ("“{item}”已于 {done_on} 完成。", "“{item}” was already done on {done_on}.")
    REASON_REQUIRED = ("请填写原因。", "Please give a reason.")
    NOT_COVERED = ("“{organization}”不在行动“{campaign}”的范围内。",
                   "“{organization}” is not covered by the campaign “{campaign}”.")
    OUTSIDE_CAMPAIGN = ("活动日期须在行动的 {starts_on} 至 {ends_on} 之间。",
                        "The activity's date must fall within the campaign's {starts_on} to {ends_on}.")
    DEADLINE_BEFORE_START = ("报送截止不能早于行动开始。", "The report deadline cannot be before the campaign starts.")
    TOO_MANY_PHOTOS = ("最多上传 {limit} 张照片。", "At most {limit} photos.")
    PLACE_ELSEWHERE = ("该快乐家园或服务点不属于“{organization}”。", "That site or service point does not belong to “{organization}”.")
    NOT_A_PARTNER_SYSTEM = ("联合发起组织须为同一地区（{division}）其他系统的组织。",
                            "Co-announcers must be bodies of other systems in the same division ({division}).")
    ALREADY_ANSWERED = ("该联合发起邀请已答复。", "This invitation to announce jointly has already been answered.")
    NOT_AN_ANNOUNCER = ("“{organization}”不是该行动的发起或联合发起组织。",
                        "“{organization}” did not announce this campaign, alone or jointly.")
    COVERED_BY_OTHER = ("“{organization}”属于联合发起组织“{announcer}”，由其确定覆盖范围。",
                        "“{organization}” belongs to the co-announcer “{announcer}”, which sets its own coverage.")
    NO_DIVISION = ("该组织没有行政区划代码，无法按区划汇总。", "This organization has no division code to break down by.")
