"""ご意見箱: opinions and questions from residents, routed to a 課, answered, published as FAQ."""

__all__: list[str] = []
