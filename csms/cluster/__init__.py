"""Cluster mode: several `csms serve` processes sharing one PostgreSQL database and Redis.

This package is the only one that imports `redis`. It owns what the nodes tell each other:
which node holds which station's socket (presence), commands travelling to that node and
their answers (requests), domain events and cache invalidations for every node (broadcasts),
and which node plans which site (leases). The services see it only through the Protocols in
csms.services.ports and csms.services.invalidation; without CSMS_REDIS_URL nothing here runs.
"""
