"""Liên Thông payment building block."""
