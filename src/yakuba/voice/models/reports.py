"""通報: report categories, reports with photos and a place, their public status; Open311 clients."""

__all__: list[str] = []
