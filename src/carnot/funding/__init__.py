"""Funding: research contract ledgers of units (issue 4), the base of the abondement."""
