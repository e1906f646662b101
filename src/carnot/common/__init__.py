"""What every app shares: French input, spreadsheet refusals, the service error, request helpers,
the FAQ."""
