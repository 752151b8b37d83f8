"""Generated from the Liên Thông v1 contract by tools/gen_stubs.py. Do not edit."""
