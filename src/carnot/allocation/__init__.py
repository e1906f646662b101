"""The yearly allocation: runs, lines, published results and grants, letters, charts, the what-if
simulation."""
