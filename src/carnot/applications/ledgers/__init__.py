"""The ledgers as pages and API: who reads and imports a unit's or a consortium's ledger is decided
by the applications that declare the unit, so the pages sit here, above ``carnot.ledgers``."""
