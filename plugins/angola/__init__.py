"""Country plugin for Angola's Voluntary Pilot Initiative (2024, Ministry of Justice and Human Rights)."""
