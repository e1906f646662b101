"""The append-only audit log: every write of the services, who made it, when, before and after."""
