"""Events: the durable event log and user-item interactions."""
