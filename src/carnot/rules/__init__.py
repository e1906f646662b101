"""The rules of the Carnot call, as pure, typed, explained code.

Nothing here imports Django or performs I/O beyond reading the packaged parameter files:
every function takes domain values and returns verdicts, amounts and traces.
"""
