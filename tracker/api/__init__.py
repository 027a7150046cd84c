"""The REST API under /api/v1/: the participant's own (participant.py) and the care team's (care.py).

Nothing here is imported by the domain modules or the web pages, and nothing here imports the pages.
"""
