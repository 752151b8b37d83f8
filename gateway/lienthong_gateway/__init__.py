"""Liên Thông gateway: one front door for every building block."""
