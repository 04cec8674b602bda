"""District-sized benchmark data (``flask bench-data``) and what ``make bench`` prepares."""
