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
# Sent with the person (sender) when the retention purge anonymises them (org/retention.py):
# each layer clears what it holds that names them or that they wrote in their own words
# (login addresses and devices, sign-in device cookies, 学习心得, 意见建议), keeping
# every count.
person_anonymised = _signals.signal("person-anonymised")
