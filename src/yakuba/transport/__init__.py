"""デマンド交通: on-demand shared rides booked by phone, web or LINE, dispatched by a solver, and its report."""
