PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench bench-full doc clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-%: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[$*]"
	touch $@

$(VENV)/.installed-base: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

demo: $(VENV)/.installed-base
	$(PY) -m skpareto demo

# pytest exits 5 when it collected no tests: that is a failure here.
test: $(VENV)/.installed-test
	$(PY) -m pytest -q

bench: $(VENV)/.installed-bench
	$(PY) -m benchmarks --quick

bench-full: $(VENV)/.installed-bench
	$(PY) -m benchmarks --full

doc: $(VENV)/.installed-doc
	$(MAKE) -C doc html SPHINXOPTS="-W --keep-going" PYTHON=$(abspath $(PY))

clean:
	rm -rf build dist *.egg-info doc/_build doc/auto_examples doc/gen_modules skpareto-demo
