"""OCPP 2.0.1: handlers for what stations send, and the CSMS's commands in 2.0.1 terms."""
