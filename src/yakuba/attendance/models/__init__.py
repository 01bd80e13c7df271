"""Models of 勤怠管理・テレワーク: schedules, punches, leave, overtime, telework and the month close."""

from .leave import LeaveGrant, LeaveRequest, LeaveType, Unit
from .month import CloseState, MonthClose, Telework
from .overtime import Overtime, OvertimeState
from .schedule import Assignment, ClosedDay, DepartmentOption, Shift, WorkPattern
from .status import OPEN_STATUSES, Status
from .time import Correction, Device, Place, Source, StaffCard, WorkPeriod, new_token

__all__ = ["OPEN_STATUSES", "Assignment", "CloseState", "ClosedDay", "Correction", "DepartmentOption", "Device",
           "LeaveGrant", "LeaveRequest", "LeaveType", "MonthClose", "Overtime", "OvertimeState", "Place", "Shift",
           "Source", "StaffCard", "Status", "Telework", "Unit", "WorkPattern", "WorkPeriod", "new_token"]
