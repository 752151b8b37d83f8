"""Scenarios: each `bench/scenarios/<name>.py` exposes `async def run(ctx: BenchContext) -> list[Result]`."""
