"""What 住民の声 offers other systems as public records (kernel.records): published FAQ for the assistant, the
reports' map layer, and the kinds of record its cached public pages follow."""

from __future__ import annotations

# --- ご意見箱 ---------------------------------------------------------------------------------------------------------



# --- 通報 -------------------------------------------------------------------------------------------------------------



# --- アンケート ------------------------------------------------------------------------------------------------------

