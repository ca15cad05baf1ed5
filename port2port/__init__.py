"""Port2Port: one security platform for every sea and inland port."""
