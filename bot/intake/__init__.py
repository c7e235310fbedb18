"""The durable intake on the ack path: requests stored in group commits, applied by the worker."""
