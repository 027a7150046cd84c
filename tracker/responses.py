"""Questionnaire responses: saving answers (drafts and complete ones), scoring them by their own
instrument version, and what a participant sees of their own scores."""
