"""Liên Thông registry building block."""
