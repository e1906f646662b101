"""Five-year spending of each year's grant (FAQ-4.1): expenditures, vintages, balance."""
