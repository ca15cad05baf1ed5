"""The deterministic Belgian demo data and the function that loads it."""
