"""Use and medication, without judgement: days without use out of the days answered, medication
schedules, their reminders, and missed doses."""
