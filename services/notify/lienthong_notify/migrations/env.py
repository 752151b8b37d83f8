from lienthong_runtime.migrations import run_env
from lienthong_notify.adapters.tables import metadata

run_env(metadata)
