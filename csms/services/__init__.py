"""Application services: the only surface shared by the HTTP API and the OCPP edge.

Each service method is one use case; writes run inside one unit of work through
`Database.write`, which commits (possibly together with other stations' writes) before it
returns, so a caller replying to a station never confirms anything that is not durable.

Each subpackage is a room serving one purpose, with its repository Protocols in its own
`ports`; the modules here are the core they share (docs/architecture.md, "The services'
rooms").
"""
