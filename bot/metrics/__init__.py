"""Incident metrics for a period, the chart, and `/incident stats`."""
