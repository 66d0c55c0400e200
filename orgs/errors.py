from core.errors import ErrorCode


class OrgErrorCode(ErrorCode):
    NAME_REQUIRED = ("请填写组织名称。", "The organization needs a name.")
    INVALID_DIVISION_CODE = (
        "行政区划代码“{code}”格式不正确：应为 6、9 或 12 位数字。",
        "Division code “{code}” is malformed: it must be 6, 9 or 12 digits.",
    )
    DIVISION_OUTSIDE_PARENT = (
        "行政区划代码“{code}”不在上级组织的区域“{parent_code}”之内。",
        "Division code “{code}” is not inside the parent's region “{parent_code}”.",
    )
    DIVISION_EXCLUDES_CHILDREN = (
        "行政区划代码“{code}”不包含下级组织“{child}”的区域。",
        "Division code “{code}” does not contain the region of the sub-organization “{child}”.",
    )
    LEVEL_NOT_BELOW_PARENT = (
        "层级“{level}”必须低于上级组织的层级“{parent_level}”（单位可与所属组织同级）。",
        "Level “{level}” must be below the parent's level “{parent_level}” (a unit may sit at its body's level).",
    )
    LEVEL_NOT_ABOVE_CHILDREN = (
        "层级“{level}”必须高于下级组织“{child}”的层级。",
        "Level “{level}” must be above the level of the sub-organization “{child}”.",
    )
    KIND_NOT_OF_SYSTEM = ("类型“{kind}”不属于系统“{system}”。", "Kind “{kind}” does not belong to system “{system}”.")
    SYSTEM_NOT_UNDER_PARENT = (
        "“{system}”的组织不能设在“{parent_system}”的组织之下。",
        "An organization of “{system}” cannot sit under one of “{parent_system}”.",
    )
    SYSTEM_EXCLUDES_CHILDREN = (
        "改为“{system}”后，下级组织“{child}”不能再设在其下。",
        "As “{system}” it could no longer hold the sub-organization “{child}”.",
    )
    DUPLICATE_NAME = ("同一上级下已有名为“{name}”的组织。", "A sibling named “{name}” already exists.")
    CYCLE = ("不能把组织移动到它自己或它的下级组织之下。", "An organization cannot move under itself or its descendants.")
    HAS_ACTIVE_CHILDREN = (
        "组织“{name}”还有未归档的下级组织，请先移动或归档它们。",
        "“{name}” still has active sub-organizations; move or archive them first.",
    )
    MERGE_SAME = ("不能把组织与自身合并。", "An organization cannot be merged with itself.")
    MERGE_CONFLICT = ("两个组织都有同一事项的“{what}”，请先处理其中一份再合并。",
                      "Both organizations hold a “{what}” for the same matter; settle one of them before merging.")
    MERGE_MISMATCH = (
        "只能合并同一系统、同一层级的组织。",
        "Only organizations of the same system and level can be merged.",
    )
    ROOT_NEEDS_SUPERUSER = ("只有平台管理员可以创建顶级组织。", "Only a platform administrator can create a top-level organization.")
