"""Adapters: database tables and repositories, providers, HTTP routes."""
