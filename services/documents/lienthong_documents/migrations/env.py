from lienthong_documents.adapters.tables import metadata
from lienthong_runtime.migrations import run_env

run_env(metadata)
