"""The App Home tab: open incidents, mine, my action items and the metrics panel."""
