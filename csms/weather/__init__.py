"""Weather providers csms can fetch a source's forecast from (CSMS_FORECAST_PROVIDER).

Each provider module turns its answer into the kW a source can expect per slot; the fetching
loop (csms.workers.forecasts) offers that to the sites service, where a forecast given through
the API takes precedence.
"""
