"""District-sized benchmark data (``flask --app bench.app bench-data``) and what
``make bench`` prepares. Not part of the app: the app never imports it."""
