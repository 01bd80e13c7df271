from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "yakuba.kernel.files"
    label = "kernel_files"
    verbose_name = "Files"
