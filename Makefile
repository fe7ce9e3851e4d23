# Every target bootstraps .venv itself: a fresh clone needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# One BLAS thread per process: tests run two pytest workers on two cores.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export MPLBACKEND := Agg

.PHONY: demo test lint bench release student train lab clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m autograder.demo --out build/demo

release: $(STAMP)
	$(PY) -m autograder release

# The class handout in build/student: the notebooks, the student runtime's wheel, a README.
student: $(STAMP)
	$(PY) -m autograder release --student build/student

# JupyterLab on the student notebooks, nbgrader's student extensions on (Validate button,
# assignment list) and the students' setup in jupyter/ (no instructor tools, no news pop-up).
# Started here so nbgrader reads this course's nbgrader_config.py; without MPLBACKEND, so that
# plots show inline. LAB_DIR changes the folder, LAB_FLAGS adds options
# (--no-browser --port=8899, say).
LAB_DIR ?= labs
lab: $(STAMP)
	env -u MPLBACKEND JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter \
	    $(VENV)/bin/jupyter lab --ServerApp.root_dir=$(LAB_DIR) \
	    --LabApp.app_settings_dir=$(CURDIR)/jupyter/lab/settings \
	    $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_FLAGS)

train: $(STAMP)
	$(PY) -m reference.demo --out build/train

test: $(STAMP)
	$(PY) -m ruff check nnlabs reference autograder tests benchmarks
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(PY) -m ruff check nnlabs reference autograder tests benchmarks

bench: $(STAMP)
	$(PY) benchmarks/bench_mlp.py
	$(PY) benchmarks/bench_activations.py
	$(PY) benchmarks/bench_grading.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_similarity.py
	$(PY) benchmarks/bench_scale.py

clean:
	rm -rf build .pytest_cache .hypothesis
