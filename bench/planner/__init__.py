"""Planner benchmark: seeded scenarios, csms's planner against three references."""
