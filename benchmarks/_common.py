"""Plumbing shared by the benchmark scripts: results folder, JSON, timing, load, figures.

Everything a benchmark writes goes under :data:`RESULTS` (``benchmarks/results/``,
git-ignored), created on the first write.
"""

import json
import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def results_path(name):
    """``RESULTS / name``, creating the results folder if needed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / name


def _jsonable(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def save_json(name, data, indent=2):
    """Write ``data`` as JSON to ``RESULTS / name`` (NumPy values allowed); returns the path."""
    path = results_path(name)
    path.write_text(json.dumps(data, indent=indent, default=_jsonable))
    return path


def timed(call):
    """``(seconds, call())`` of one call."""
    start = time.perf_counter()
    out = call()
    return time.perf_counter() - start, out


def time_calls(call, repeat):
    """Wall-clock seconds of ``repeat`` successive calls of ``call()``, as a list.

    The caller reduces them (``min`` for the best case, ``numpy.median``).
    """
    return [timed(call)[0] for _ in range(repeat)]


def report_load(tag, start):
    """Print the 1-minute load average at ``start`` (an ``os.getloadavg()``) and now.

    Returns the load average now.
    """
    end = os.getloadavg()
    print(f"[{tag}] load average {start[0]:.1f} at start, {end[0]:.1f} at end "
          f"({os.cpu_count()} cores, shared)")
    return end


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend (imported lazily)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, name):
    """Tighten the layout, save ``fig`` as ``RESULTS / name`` and close it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(results_path(name))
    plt.close(fig)
