"""Delivery of an activity: its sessions and their materials, participants and breakout groups,
attendance per session, and the self-assessment asked before and after (knowledge gain)."""
