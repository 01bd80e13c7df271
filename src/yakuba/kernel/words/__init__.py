"""Words for everyone: staff-entered English and やさしい日本語 versions of the texts residents read (see registry)."""
