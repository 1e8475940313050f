"""OCPP 1.6-J: handlers for what stations send, and the CSMS's commands in 1.6 terms.

1.6 calls a charging point of a station a "connector"; csms models it as EVSE N with one
connector (id 1), as OCPP 2.0.1 would; connector 0 (the station) is EVSE 0, connector 0.
"""
