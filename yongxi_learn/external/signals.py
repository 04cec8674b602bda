"""What happens to an imported sheet that the layers above ``external`` act on,
without ``external`` knowing them (blinker signals, sent inside the service's
transaction)."""

from blinker import Namespace

_signals = Namespace()

# Sent with the sheet (sender, an ExternalExam) before an admin deletes it: a receiver
# that still counts it refuses by raising ``importing.SheetInUse`` (exams: a sheet
# counted in an exam's figures is first taken out of them, audited there).
sheet_deleting = _signals.signal("external-sheet-deleting")
