"""Every write of デマンド交通, one module per concern: `access` (who may do what), `setup` (the service's rules),
`travel` (travel times), `booking` (riders, booking, cancelling), `dispatch` (the day's plan and the solver),
`driving` (drivers' marks), `fares`, `notify` (telling riders), `report` (現状分析), `gtfs`."""
