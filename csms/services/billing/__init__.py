"""What a session costs: tariffs and the cost computed from a session and its bound tariff."""
