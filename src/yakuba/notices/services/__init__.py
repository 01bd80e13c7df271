"""Verbs of お知らせ・防災, one module per activity: notices (write, publish, withdraw), subscriptions (choose
categories, areas and channels), replies (answer, tally), shelters (避難所 status)."""
