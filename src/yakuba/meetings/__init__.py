"""会議・議事録: the 議会 and the town's own meetings (庁議, 委員会, 審議会) without paper — packs members read on a
tablet, 差し替え that tells everyone, and minutes drafted from the recording."""
