"""アンケート・意識調査: surveys on the forms engine, invitations, unlinkable anonymous answers."""

__all__: list[str] = []
