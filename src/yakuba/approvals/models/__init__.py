"""Models of 電子決裁・文書管理. `filing` holds what every document shares (the 文書分類表, 簿冊 and the document
record itself); the modules beside it hold 起案・回議・決裁 and 収受."""

from .drafts import (
                     Absence,
                     Action,
                     ActionKind,
                     Attachment,
                     ConsultMode,
                     DecisionRule,
                     Deputy,
                     Draft,
                     DraftStatus,
                     DraftTemplate,
                     LateReview,
                     Matter,
                     Post,
                     Rank,
                     SendOut,
                     Step,
                     StepKind,
                     StepState,
)
from .filing import DocumentClass, DocumentKind, Record, RecordStatus, Retention, Volume, VolumeStatus

__all__ = ["DocumentClass", "DocumentKind", "Record", "RecordStatus", "Retention", "Volume", "VolumeStatus"]
from .incoming import Channel, Incoming, Scan, ScanState, VolumeAction, VolumeDecision  # noqa: E402

__all__ += ["Channel", "Incoming", "Scan", "ScanState", "VolumeAction", "VolumeDecision"]
__all__ += ["Absence", "Action", "ActionKind", "Attachment", "ConsultMode", "DecisionRule", "Deputy", "Draft",
            "DraftStatus", "DraftTemplate", "LateReview", "Matter", "Post", "Rank", "SendOut", "Step", "StepKind",
            "StepState"]
