"""Forms engine: procedure forms as versioned data (pages, fields, groups, conditions), normalised
Japanese input, specific errors, accessible rendering. Reused by every app that asks residents questions."""
