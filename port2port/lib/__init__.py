"""Framework-free helpers: identifiers, canonical JSON, geometry."""
