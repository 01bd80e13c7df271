"""Japanese full-text search shared by the apps: tokenising (MeCab via fugashi, UniDic lemmas), BM25 ranking
(bm25s) over in-memory indexes rebuilt when their generation changes, highlighting, and an optional reranker."""
