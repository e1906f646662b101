"""Reference data: structures, PUIs, research units, people, calls."""
