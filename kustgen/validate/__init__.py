"""Schema validation of every environment's final objects (``kustgen validate``)."""
