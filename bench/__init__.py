"""Benchmark harness for Liên Thông: `python -m bench` (see bench/README.md).

Every figure is reported as a ratio of a bare grpc.aio echo server measured in the same run, because absolute
numbers on a shared 2-core machine drift by 10-20% between runs while same-run ratios hold.

Public API: `bench.load.run_load`, `bench.load.LoadResult`, `bench.harness.{BenchContext, Result, Report,
start_server}`. Kept import-free here so `python -m bench.echo` stays a lean subprocess.
"""
