"""Country plugin for Mexico's Voluntary Pilot Initiative (2022, Ministry of Foreign Affairs)."""
