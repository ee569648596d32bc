"""Joint actions: the roadmap items a pilot agrees on, their progress and their two-sided completion."""
