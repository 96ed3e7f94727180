"""Run the benchmarks: ``python -m benchmarks [--quick|--full] [names...]``.

Imports every ``benchmarks/bench_*.py`` module (or only those named, with or
without the ``bench_`` prefix) and calls its ``main(quick=...)``. ``--quick``
is the default.
"""

import importlib
import pathlib
import sys
import time


def available():
    here = pathlib.Path(__file__).resolve().parent
    return sorted(path.stem for path in here.glob("bench_*.py"))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    unknown_flags = [a for a in argv if a.startswith("-") and a not in ("--quick", "--full")]
    if unknown_flags:
        raise SystemExit(f"unknown option {unknown_flags[0]}; use --quick or --full")
    quick = "--full" not in argv
    names = [a if a.startswith("bench_") else f"bench_{a}"
             for a in argv if not a.startswith("-")]
    modules = available()
    missing = [name for name in names if name not in modules]
    if missing:
        raise SystemExit(f"no benchmark {missing[0]!r}; available: {', '.join(modules)}")
    total = time.perf_counter()
    for name in names or modules:
        print(f"== {name} ({'quick' if quick else 'full'}) ==", flush=True)
        start = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main(quick=quick)
        print(f"== {name}: {time.perf_counter() - start:.1f} s ==", flush=True)
    print(f"== all: {time.perf_counter() - total:.1f} s ==", flush=True)


if __name__ == "__main__":
    main()
