"""Login by phone and password, login sessions, lockout, password changes."""
