from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "项目（快乐家园、七彩假期、志愿者、结对、行动与活动）"
