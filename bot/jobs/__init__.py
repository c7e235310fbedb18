"""The durable jobs: the table (enqueue, claim, lease), the worker, the context effects run in, and the registry."""
