"""プッシュ型情報発信・防災: notices written once and delivered on every channel; the disaster board."""
