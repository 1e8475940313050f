"""Sites and their green production: sources and readings, the forecast, and the green-energy
accounting of each site's transactions."""
