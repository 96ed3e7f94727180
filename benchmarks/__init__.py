"""Benchmarks of skpareto: run ``python -m benchmarks [--quick|--full] [names...]``.

Each ``benchmarks/bench_*.py`` module has ``main(quick=True)``, prints its
figures and writes them under ``benchmarks/results/``.
"""
