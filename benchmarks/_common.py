"""Plumbing shared by the benchmark scripts: results folder, JSON, timing, load, figures.

Everything a benchmark writes goes under :data:`RESULTS` (``benchmarks/results/``,
git-ignored), created on the first write.
"""

import datetime
import json
import os
import platform
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


def machine():
    """Date, processor, cores, load and library versions of this run, as a dict.

    Every benchmark that reports seconds prints it (:func:`describe_machine`),
    so a figure is never read without the machine it was measured on.
    """
    from importlib.metadata import version

    import scipy
    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return dict(date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                commit=_imported_commit(), cpu=cpu, cores=os.cpu_count(),
                load_average=list(os.getloadavg()),
                python=platform.python_version(), numpy=np.__version__,
                scipy=scipy.__version__, sklearn=sklearn.__version__,
                autograd=version("autograd"), platform=platform.platform())


def commit():
    """The checkout's commit, with ``+changes`` if ``skpareto/`` differs from it (or None).

    Read-only: ``--no-optional-locks`` keeps git from refreshing the index.
    """
    import subprocess

    root = Path(__file__).resolve().parents[1]
    git = ["git", "--no-optional-locks", "-C", str(root)]
    try:
        head = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=30)
        dirty = subprocess.run(git + ["diff", "--quiet", "HEAD", "--", "skpareto"],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode:
        return None
    return head.stdout.strip() + ("+changes" if dirty.returncode else "")


_IMPORTED = []


def _imported_commit():
    """:func:`commit` when this process first asked: the skpareto it imported.

    ``python -m benchmarks`` imports skpareto once and runs every benchmark on
    it, while the checkout may change under a long run.
    """
    if not _IMPORTED:
        _IMPORTED.append(commit())
    return _IMPORTED[0]


def describe_machine(tag, info=None):
    """Print one line naming the date and machine of this run; returns :func:`machine`."""
    info = machine() if info is None else info
    print(f"[{tag}] {info['date']}, commit {info['commit']}, {info['cpu']} x {info['cores']} "
          f"cores (shared), load "
          f"average {info['load_average'][0]:.1f}; Python {info['python']}, NumPy "
          f"{info['numpy']}, SciPy {info['scipy']}, scikit-learn {info['sklearn']}, "
          f"autograd {info['autograd']}", flush=True)
    return info


def timed(call):
    """``(seconds, call())`` of one call."""
    start = time.perf_counter()
    out = call()
    return time.perf_counter() - start, out


def clocked(call):
    """``(wall_seconds, cpu_seconds, call())`` of one call.

    CPU seconds are this process's (``time.process_time``): on a shared machine
    they move less with the load than wall-clock seconds do, as long as the
    work runs on one thread (the benchmarks limit BLAS to one).
    """
    wall, cpu = time.perf_counter(), time.process_time()
    out = call()
    return time.perf_counter() - wall, time.process_time() - cpu, out


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


_CACHE = {}


def cached(key, compute):
    """``compute()`` once per process and ``key``: benchmarks run by ``python -m benchmarks``
    share one process, and some explore the same problem with the same settings."""
    if key not in _CACHE:
        _CACHE[key] = compute()
    return _CACHE[key]


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
