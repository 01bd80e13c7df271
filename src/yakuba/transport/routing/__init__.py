"""Dispatch without Django: travel times between stops, the OR-Tools pickup-and-delivery solver, a greedy baseline and
an independent checker. Times are seconds from the service day's midnight; stops are node indices."""
