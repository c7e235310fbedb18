"""The pieces every domain shares: the clock, the error tree, user text, durations, listener bookkeeping,
row helpers and the health check."""
