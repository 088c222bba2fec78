"""The FAQ: loading and validating the editors' YAML, the search index and the answer decision."""
