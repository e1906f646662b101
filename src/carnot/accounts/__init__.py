"""People who use the platform and their role."""
