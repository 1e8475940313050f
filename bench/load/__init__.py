"""`python -m bench.load`: N simulated stations in a closed loop against csms or a reference.

Modules: frames (the OCPP message mix), generator (the load worker process), servers (bare
and ocpp-library reference responders), csms_host (csms serve with writer statistics),
procs (process control and CPU accounting), report (the table), __main__ (orchestration).
"""
