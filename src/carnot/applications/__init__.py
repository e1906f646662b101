"""Applications of consortia to a call: units, signatures, workflow, live admissibility."""
