"""The event-correlation engine: framework-free, standard library only."""
