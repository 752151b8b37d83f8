from lienthong_runtime.migrations import run_env
from lienthong_identity.adapters.tables import metadata

run_env(metadata)
