"""Protocol-true simulators of the printer and the lock boards, served on pseudo-terminals."""
