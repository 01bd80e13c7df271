"""電子決裁・文書管理: drafts (起案) decided along routes built from the town's 事務決裁規程, numbered and signed; the
town's 文書分類表, 簿冊, 収受 and the documents' life until 廃棄 or 移管."""
