"""Urgent events the care team is told about at once: the safety answer (PHQ-9 item 9), and,
where a program turns it on, other urgent flags; and telling the program admin when nobody
acknowledged in time."""
