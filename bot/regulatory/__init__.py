"""Regulatory reporting: classification under a regime, the reports' clocks, drafts and the audit export."""
