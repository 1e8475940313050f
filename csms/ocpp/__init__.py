"""The OCPP-J edge: the only package that imports `ocpp` and `websockets`.

`server` admits stations and negotiates the version, `session` runs one station's
conversation (frames, schema checks, calls both ways), `registry` finds live sessions, and
`v16` / `v201` translate each version's messages to and from version-neutral services.
"""
