"""The production front door on HAProxy: configuration rendered from the contract, and its agent."""
