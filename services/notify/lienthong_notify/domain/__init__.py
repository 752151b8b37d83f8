"""Notify's domain: templates, SMS encoding, recipients, notifications, limits and callbacks.

Imports neither grpc nor SQLAlchemy.
"""
