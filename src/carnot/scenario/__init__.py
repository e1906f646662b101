"""Scenario files: a whole national call in YAML or JSON, validated, made into domain values."""
