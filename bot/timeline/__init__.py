"""The timeline: facts recorded as kinds and values, pins and notes, and their renderings."""
