"""The tenant dashboard: aggregated figures of the roadmap and the dialogue, drawn as server-side SVG."""
