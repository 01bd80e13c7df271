"""The verbs of 勤怠管理・テレワーク: `clock` (打刻, tablet, 打刻修正), `leave` (休暇), `overtime` (時間外勤務 and its
limits), `telework`, `month` (月次締め, CSV for 人事給与), `setup` (tablets, staff cards, grants); `rules` holds
what they share (the town's options, who may decide what, the working calendar)."""
