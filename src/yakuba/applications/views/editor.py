"""editor views of 電子申請 (being written)."""

urlpatterns: list = []
