"""Offline what-if planning (`csms plan-day`): a simulated day of a site with the real planner.

`scenario.load` reads and validates the contract's scenario file, `simulate.run` plays the day
under a policy, and the returned `Ledger` scores it and writes the contract's result.
"""

from csms.whatif.ledger import Ledger
from csms.whatif.scenario import Scenario, ScenarioError, ScenarioSession, load, parse
from csms.whatif.simulate import POLICIES, run

__all__ = ["POLICIES", "Ledger", "Scenario", "ScenarioError", "ScenarioSession", "load", "parse",
           "run"]
