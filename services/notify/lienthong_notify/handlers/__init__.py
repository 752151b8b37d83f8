"""Service layer: plain async functions taking commands, each owning its transaction."""
