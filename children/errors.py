from core.errors import ErrorCode


class ChildErrorCode(ErrorCode):
    NAME_REQUIRED = ("请填写儿童姓名。", "The child's name is required.")
    INVALID_ID_LENGTH = ("身份证号应为 18 位（最后一位可为 X）。", "The ID number must have 18 characters (the last may be X).")
    INVALID_ID_REGION = ("身份证号前两位不是有效的省级代码。", "The ID number does not start with a valid province code.")
    INVALID_ID_BIRTH_DATE = ("身份证号中的出生日期不存在。", "The birth date inside the ID number is impossible.")
    INVALID_ID_CHECK_DIGIT = ("身份证号校验位不正确，请核对。", "The ID number's check digit is wrong; please check it.")
    ID_BIRTH_DATE_MISMATCH = ("出生日期与身份证号不一致。", "The birth date does not match the ID number.")
    ID_SEX_MISMATCH = ("性别与身份证号不一致。", "The sex does not match the ID number.")
    INVALID_CHOICE = ("“{value}”不是有效的选项。", "“{value}” is not a valid choice.")
    ALREADY_REGISTERED = (
        "该儿童已在“{organization}”登记，可申请转移档案。",
        "This child is already registered with “{organization}”; you may request a transfer.",
    )
    REGISTERED_ELSEWHERE = (
        "该儿童已在其他地区登记，请联系“{contact}”申请转移档案。",
        "This child is already registered elsewhere; ask “{contact}” for a transfer of the record.",
    )
    CONSENT_REQUIRED = (
        "监护人尚未同意“{scope}”，不能进行此操作。",
        "The guardian has not consented to “{scope}”; this is refused.",
    )
    TEXT_REQUIRED = ("请填写内容。", "Please write something.")
    DATE_IN_FUTURE = ("日期不能晚于今天。", "The date cannot be in the future.")
    TRANSFER_SAME_ORGANIZATION = ("接收组织与现建档组织相同。", "The receiving organization already keeps the record.")
    TRANSFER_PENDING = ("该儿童已有待处理的转移申请。", "A transfer of this child is already pending.")
    TRANSFER_NOT_PENDING = ("该转移申请已处理。", "This transfer has already been decided.")
    ANONYMIZED = ("该档案已匿名化，不能修改。", "The record is anonymized and cannot change.")
    # Excel rosters (children/excel.py)
    MISSING_COLUMN = ("缺少必需的列“{column}”。", "The required column “{column}” is missing.")
    INVALID_DATE = ("“{value}”不是有效的日期。", "“{value}” is not a valid date.")
    DUPLICATE_ROW = ("与第 {row} 行的身份证号重复。", "Same ID number as row {row}.")
