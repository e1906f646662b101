"""Scenario files: a whole national call in YAML or JSON, validated and turned into domain values."""
