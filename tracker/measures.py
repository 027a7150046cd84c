"""Measurement-based care: when each questionnaire is due (program defaults, per-participant
changes), planning due questionnaires, their reminders, and marking them missed."""
