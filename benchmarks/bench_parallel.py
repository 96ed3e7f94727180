"""n_jobs=2 against n_jobs=1 for the lattice of a three-task set, in one run.

Three regression tasks share a one-hidden-layer tanh network, so the Pareto
set is a 2-D surface. The continuation covers it with a lattice in front
coordinates grown ring by ring from stage 1; the nodes of one ring are
independent (each a prediction from its solved neighbour and a corrector), so
joblib solves them in parallel: rings 1, 2 and 3 have up to 4, 8 and 12 nodes.
(Before the continuation engine these were the levels of a breadth-first
expansion; the rings are their equivalent.) Stage 1 runs once; ``expand_set``
is then timed from the same root with ``n_jobs=1`` and ``n_jobs=2`` (loky,
workers warmed up first), BLAS limited to one thread in every process;
``--full`` alternates three runs of each and keeps the fastest. The two sets
must be bitwise equal. The machine's load average is recorded: on a shared
machine the speed-up is bounded by the CPU share the two workers get. glibc's
allocator thresholds are pinned first (see :func:`pin_malloc`), so that the
serial process and the fresh workers allocate alike.

Run ``python -m benchmarks.bench_parallel`` (quick) or with ``--full``.
"""

import ctypes
import os
import sys
import time
from pathlib import Path

import numpy as np
import psutil
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from skpareto import ParetoSet, SolverOptions, expand_set, find_stationary
from skpareto._models import SharedTrunkNet

if __package__ in (None, ""):  # run as a script: make the `benchmarks` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import describe_machine, report_load, save_json  # noqa: E402


def make_tasks(n_rows, width, seed=0):
    """Three regression tasks of a one-hidden-layer tanh network (L2 penalty 1e-2)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 20))
    targets = [np.tanh(X[:, 0] + X[:, 1]), np.tanh(X[:, 0] - X[:, 2]), np.tanh(X[:, 3])]
    net = SharedTrunkNet(20, (width,), (1, 1, 1))
    fun = net.objective(X, targets, ["squared_error"] * 3, alpha=1e-2)
    return fun, net.init_params(seed), net.n_params


def cpu_seconds():
    """User + system CPU seconds of this process and its live children (the workers)."""
    procs = [psutil.Process()]
    procs += procs[0].children(recursive=True)
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


# glibc hands freed blocks above a dynamic threshold back to the OS, and raises that
# threshold once a process frees a large block: a process that has done so stops paying
# page faults for autograd's temporaries, a fresh worker has not. Unpinned, the serial
# expansion took 10.4 s after bench_hvp had run in the same process and 14.7 s alone,
# the parallel one 8.2-9.2 s either way (speed-ups 1.13x and 1.80x for the same code).
_MMAP_THRESHOLD = 256 << 20
_TRIM_THRESHOLD = 512 << 20


def pin_malloc():
    """Fixed glibc mmap/trim thresholds here (mallopt) and in workers started later (environment).

    Returns True where ``mallopt`` succeeded (glibc), False elsewhere.
    """
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(_MMAP_THRESHOLD))
    os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", str(_TRIM_THRESHOLD))
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
    return bool(libc.mallopt(m_mmap_threshold, _MMAP_THRESHOLD)
                and libc.mallopt(m_trim_threshold, _TRIM_THRESHOLD))


def _burn(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_ceiling(n_tasks=4, n=5 * 10**6):
    """Speed-up of n_jobs=2 on independent pure-Python CPU work: what the machine allows."""
    times = {}
    for n_jobs in (1, 2):
        t0 = time.perf_counter()
        Parallel(n_jobs=n_jobs)(delayed(_burn)(n) for _ in range(n_tasks))
        times[n_jobs] = time.perf_counter() - t0
    return times[1] / times[2]


def depths(pset):
    depth = np.zeros(pset.n_points, dtype=int)
    for i in range(1, pset.n_points):
        depth[i] = depth[pset.parents[i]] + 1
    return depth


def main(quick=True):
    n_rows, width, n_steps = (1000, 64, 3) if quick else (1500, 64, 4)
    solver = SolverOptions(minres_rtol=1e-6, minres_maxiter=100)
    options = dict(n_steps=n_steps, step_size=0.02, tol=1e-6, options=solver)
    machine = describe_machine("parallel")
    pinned = pin_malloc()  # before the workers start: they inherit the environment
    fun, x0, n_params = make_tasks(n_rows, width)
    load_start = os.getloadavg()
    with threadpool_limits(1):
        start = find_stationary(fun, x0, tol=1e-6, options=solver.replace(max_iter=2000))

        def root():
            # a fresh set per run (a deep copy would drop its objectives, which a
            # ParetoSet never pickles)
            pset = ParetoSet.empty(n_params, 3, fun=fun)
            pset.add_point(start.x, start.objectives, start.weights, residual=start.residual,
                           n_grad=start.n_grad, n_hvp=start.n_hvp)
            return pset

        # warm the workers with a function of this module, so that they have imported it
        # (and skpareto) before anything is timed, the machine ceiling included
        Parallel(n_jobs=2)(delayed(_burn)(1) for _ in range(4))
        ceiling = machine_ceiling()
        times, cores, sets = {1: [], 2: []}, {1: [], 2: []}, {}
        for n_jobs in (1, 2) * (1 if quick else 3):  # alternate, keep the best of each
            pset = root()
            c0 = cpu_seconds()
            t0 = time.perf_counter()
            expand_set(pset, fun, n_jobs=n_jobs, **options)
            times[n_jobs].append(time.perf_counter() - t0)
            # CPU the OS gave us (main process and workers) per second of wall time
            cores[n_jobs].append((cpu_seconds() - c0) / times[n_jobs][-1])
            sets[n_jobs] = pset
        best = {k: int(np.argmin(v)) for k, v in times.items()}
        cores = {k: cores[k][best[k]] for k in cores}
        times = {k: times[k][best[k]] for k in times}
    a, b = sets[1], sets[2]
    identical = all(np.array_equal(getattr(a, k), getattr(b, k))
                    for k in ("params", "front", "weights", "parents", "residuals"))
    depth = depths(a)
    per_level = [int(np.sum(depth == d)) for d in range(depth.max() + 1)]
    # ring L predicts each of its nodes from a solved node of ring L-1 (tangents of the
    # parent) and corrects it: the points of depth L (boundary faces, if reached, after)
    result = dict(quick=quick, n_params=n_params, n_rows=n_rows, n_points=a.n_points,
                  points_per_depth=per_level, seconds_n_jobs_1=times[1],
                  seconds_n_jobs_2=times[2], speedup=times[1] / times[2],
                  bitwise_identical=bool(identical), total_hvp=int(a.total_hvp),
                  cpu_cores_used_n_jobs_1=cores[1], cpu_cores_used_n_jobs_2=cores[2],
                  machine_ceiling=ceiling, load_average_start=load_start,
                  malloc_pinned=pinned, machine=machine)
    print(f"[parallel] {a.n_points} points over {n_steps} lattice rings, points per depth "
          f"{per_level} (the nodes of a ring are solved independently), "
          f"{a.total_hvp} HVPs")
    print(f"[parallel] expand_set n_jobs=1: {times[1]:.2f} s, n_jobs=2: {times[2]:.2f} s, "
          f"speed-up {result['speedup']:.2f}x; sets bitwise identical: {identical}")
    print(f"[parallel] CPU obtained from the OS: {cores[1]:.2f} cores with n_jobs=1, "
          f"{cores[2]:.2f} cores with n_jobs=2 (the speed-up cannot exceed their ratio, "
          f"{cores[2] / cores[1]:.2f}); the same machine runs independent pure-Python "
          f"CPU work {ceiling:.2f}x faster with n_jobs=2; glibc malloc thresholds "
          f"{'pinned' if pinned else 'not pinned (not glibc)'}")
    result["load_average_end"] = report_load("parallel", load_start)
    save_json("parallel.json", result)
    return result


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
