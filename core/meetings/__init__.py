"""Meetings: consultations, dialogues, workshops… with their attendees and outcomes."""
