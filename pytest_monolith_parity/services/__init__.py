"""Real external services (ZooKeeper, ...) that parity cases run both sides against."""
