"""Topics: the thematic taxonomy (instruments, clusters, crime types, cross-cutting themes)."""
