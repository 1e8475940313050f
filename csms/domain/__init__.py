"""The domain: pure, synchronous, stdlib-only rules about stations, tokens and transactions.

Nothing here knows OCPP versions, databases or HTTP; the edges translate into these types.
"""
