"""The pages of デマンド交通, one module per area, each exporting `urlpatterns` and/or `staff_urlpatterns`."""
