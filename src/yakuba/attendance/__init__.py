"""勤怠管理・テレワーク: the town's own staff clock in and out, take leave, keep overtime within the law, and the
month closes without a spreadsheet."""
