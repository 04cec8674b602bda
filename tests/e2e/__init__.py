"""Browser tests: the real app in Chromium at a phone viewport (``pytest -m e2e``)."""
