from lienthong_dossiers.adapters.tables import metadata
from lienthong_runtime.migrations import run_env

run_env(metadata)
