"""The verbs of 電子決裁・文書管理: `filing` (簿冊 and records, shared by every kind of document), and the modules
beside it for 起案・回議・決裁 and 収受."""
