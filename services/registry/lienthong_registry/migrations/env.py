from lienthong_runtime.migrations import run_env
from lienthong_registry.adapters.tables import metadata

run_env(metadata)
