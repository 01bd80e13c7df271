"""キャッシュレス決済: online payments through a provider, counter payments, refunds, 領収書 and 収納."""
