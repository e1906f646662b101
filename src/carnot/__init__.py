"""Carnot: the information system of the French Carnot programme."""
