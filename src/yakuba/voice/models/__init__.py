"""住民の声: one module per part (ご意見箱, 通報 and its Open311 clients, アンケート)."""

from .opinions import *  # noqa: F403
from .reports import *  # noqa: F403
from .surveys import *  # noqa: F403
