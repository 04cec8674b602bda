"""Cross-cutting pieces every feature uses: database setup, permissions, time, security."""
