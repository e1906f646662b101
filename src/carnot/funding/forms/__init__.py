"""Forms of funding pages, one module per area."""
