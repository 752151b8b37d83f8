from lienthong_runtime.migrations import run_env
from lienthong_payment.adapters.tables import metadata

run_env(metadata)
