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
