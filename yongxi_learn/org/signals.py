"""What happens to a person that the layers above ``org`` act on, without ``org``
knowing them (blinker signals, as Flask's own). Each is sent inside the service's
transaction, so what a receiver writes commits or rolls back with it."""

from blinker import Namespace

_signals = Namespace()

# Sent with the person (sender) when an admin deactivates their account: their
# logins end (auth.sessions).
person_deactivated = _signals.signal("person-deactivated")
# Sent with the person (sender) when an admin gives them a new one-time password:
# their logins end and their failed attempts are forgotten (auth).
password_reset = _signals.signal("password-reset")
