"""Forms of the allocation's pages, one module per area."""
