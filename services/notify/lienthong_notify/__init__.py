"""Liên Thông notify building block."""
