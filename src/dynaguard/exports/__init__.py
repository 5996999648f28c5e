"""Deliveries of a report to other systems (Security Hub)."""
