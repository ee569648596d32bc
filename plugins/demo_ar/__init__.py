"""Arabic demonstration plugin. NOT a real pilot: every topic, field and choice here is fictional."""
