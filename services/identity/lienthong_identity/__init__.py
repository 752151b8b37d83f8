"""Liên Thông identity building block."""
