"""Trainings, workshops and constructive dialogues: a capability plugin built only on ``core.plugin_api``."""
