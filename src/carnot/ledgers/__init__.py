"""Contract ledgers: partners, research contracts, invoiced amounts, their imports (FAQ-3.1 to
FAQ-3.3)."""
