from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "yakuba.approvals"
    label = "approvals"
    verbose_name = "電子決裁・文書管理"
