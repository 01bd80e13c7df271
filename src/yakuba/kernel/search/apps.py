from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "yakuba.kernel.search"
    label = "search"
    verbose_name = "検索"
