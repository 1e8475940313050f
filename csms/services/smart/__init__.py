"""Green-first smart charging: the planning cycle, the profiles it sends and checks, chargers'
capabilities, drivers' preferences, and what csms believes each station holds."""
