"""Command line: ``python -m skpareto demo``."""

import argparse
import sys

import numpy as np


def _demo(args):
    from . import explore
    from .problems import FonsecaFleming

    problem = FonsecaFleming(n=10)
    pset = explore(problem.fun, problem.x0, method="mgda", corrector="mgda",
                   n_steps=args.n_steps, step_size=0.05, tol=1e-10, verbose=1)
    order = np.argsort(pset.weights[:, 0])
    print(f"{'w1':>8} {'w2':>8} {'f1':>10} {'f2':>10} {'residual':>10}")
    for i in order:
        w, f = pset.weights[i], pset.front[i]
        print(f"{w[0]:8.4f} {w[1]:8.4f} {f[0]:10.6f} {f[1]:10.6f} {pset.residuals[i]:10.2e}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m skpareto",
                                     description="Continuous Pareto exploration.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="explore an analytic two-task problem and print its front")
    demo.add_argument("--n-steps", type=int, default=40, help="expansion levels (default 40)")
    args = parser.parse_args(argv)
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
