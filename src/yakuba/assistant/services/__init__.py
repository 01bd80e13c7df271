"""Services of AI問い合わせ・例規検索 (see each module)."""
