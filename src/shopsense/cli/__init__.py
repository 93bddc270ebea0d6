"""Command-line shell over shopsense.app."""

import os

# implicit (ALS/BPR) warns unless BLAS is single-threaded; the shell sets it, not domain code
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
