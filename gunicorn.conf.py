"""gunicorn's settings for Ruta Violeta: gunicorn reads this file from the directory it starts in.

Everything else (workers, address, timeout) is given on the command line (README, "Production").
"""

import gc


def post_worker_init(worker):
    # The app, its modules and its compiled templates live as long as the worker: moved out of
    # the collector's generations once loaded, a full collection no longer walks them (it
    # cost one page in a dozen some 60 ms, BENCHMARKS.md).
    gc.freeze()
