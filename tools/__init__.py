"""Developer tools of the Liên Thông repository (not shipped)."""
