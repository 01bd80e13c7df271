"""Kernel metrics of the site: 全ページの棚卸し完了率, 構造化対応率."""
