# pytest-monolith-parity: every target is idempotent; stamps keep builds from repeating.
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
CARGO ?= cargo
JOBS ?= 2
STAMPS := .make
SAMPLE_RUST := tests/sample/rust
SAMPLE_SOURCES := $(shell find $(SAMPLE_RUST) -path '*/target*' -prune -o \( -name '*.rs' -o -name 'Cargo.toml' -o -name 'Cargo.lock' -o -name 'pyproject.toml' \) -print 2>/dev/null)
SAMPLE_WORKER := $(SAMPLE_RUST)/target/release/sample-worker
SAMPLE_WORKER_PR := $(SAMPLE_RUST)/target-pr/release/sample-worker
# The PR revision's PyO3 module, importable by putting this directory first on PYTHONPATH (tests/harness).
SAMPLE_PYO3_PR := $(SAMPLE_RUST)/target-pr/python

.PHONY: setup system sample test parity parity-ci demo clean bench

setup: $(STAMPS)/system.stamp $(STAMPS)/python.stamp $(STAMPS)/sample.stamp $(STAMPS)/rust-tools.stamp

# Debian packages the tests use: a headless browser (HTML report test), a ZooKeeper server, sccache
# (compiled crates.io dependencies shared between checkouts, docs/rust-bindings.md), and g++ with
# protobuf/glog/absl to build custom-op kernels (our own test op in CI; monolith's with `build-ops`).
DEBIAN_PACKAGES := chromium zookeeper sccache g++ protobuf-compiler libprotobuf-dev libgoogle-glog-dev libabsl-dev
$(STAMPS)/system.stamp: Makefile
	mkdir -p $(STAMPS)
	dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1 || (apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(DEBIAN_PACKAGES))
	touch $@

$(STAMPS)/python.stamp: pyproject.toml tests/sample/reference/pyproject.toml
	mkdir -p $(STAMPS)
	$(PIP) install --quiet -e ".[test]" -e "tests/sample/reference[tfrecord]"
	touch $@

# The sample pair's Rust side: the framed worker (baseline and "pr" revisions) and the PyO3 module.
API_SCAN_SOURCES := $(wildcard rust_bindings/api-scan/Cargo.toml rust_bindings/api-scan/src/*.rs)
$(STAMPS)/sample.stamp: $(STAMPS)/python.stamp $(SAMPLE_SOURCES) $(API_SCAN_SOURCES)
	cd $(SAMPLE_RUST) && $(CARGO) build --release -j $(JOBS) -p sample-worker
	cd $(SAMPLE_RUST) && $(CARGO) build --release -j $(JOBS) -p sample-worker --features pr --target-dir target-pr
	cd $(SAMPLE_RUST) && PYO3_PYTHON=$(PYTHON) PYO3_BUILD_EXTENSION_MODULE=1 $(CARGO) build --release -j $(JOBS) \
		-p sample-py --features pr --target-dir target-pr
	mkdir -p $(SAMPLE_PYO3_PR) && cp $(SAMPLE_RUST)/target-pr/release/libsample_rust.so $(SAMPLE_PYO3_PR)/sample_rust.abi3.so
	rm -rf $(SAMPLE_RUST)/target/sample-wheel
	cd $(SAMPLE_RUST) && CARGO_BUILD_JOBS=$(JOBS) $(PYTHON) -m maturin build --release -q -m sample-py/Cargo.toml -o target/sample-wheel
	$(PIP) install --quiet --force-reinstall --no-deps $(SAMPLE_RUST)/target/sample-wheel/sample_rust-*.whl
	touch $@

sample: $(STAMPS)/sample.stamp

# `mutants` (docs/mutation.md): cargo-mutants lists the mutants (pinned: its JSON list is what we read), and
# rustup's llvm-tools (llvm-profdata, llvm-cov of rustc's own LLVM) read `--parity-coverage` profiles.
# cargo-mutants compiles from crates.io (measured: 29m47s on this 2-core machine under a load of ~6, while
# others built; far less on an idle one).
CARGO_MUTANTS_VERSION := 27.1.0
$(STAMPS)/rust-tools.stamp: Makefile
	mkdir -p $(STAMPS)
	$(CARGO) mutants --version 2>/dev/null | grep -q ' $(CARGO_MUTANTS_VERSION)$$' || \
		$(CARGO) install --locked -j $(JOBS) cargo-mutants --version $(CARGO_MUTANTS_VERSION)
	rustup component add llvm-tools
	touch $@

# The project's own tests (what CI runs).
test: setup
	$(PYTHON) -m pytest tests -n $(JOBS)

# Parity cases of the configured checkout (see README: MONOLITH_ROOT and friends).
parity: setup
	$(PYTHON) -m pytest -m parity cases

# The pull-request gate locally, as docs/examples/parity-workflow.yml runs it in CI:
#   make parity-ci BASELINE=base/parity-report.json [REVISION=abc123]
parity-ci: setup
	$(PYTHON) -m pytest -m parity cases -n $(JOBS) $(if $(BASELINE),--parity-baseline $(BASELINE)) \
		$(if $(REVISION),--parity-revision $(REVISION)) --parity-strict-records --junitxml=parity-report/junit.xml

# The sample pair end to end: the summary line and the reports; exits with the run's (the gate's) status.
# Self-contained: MONOLITH_ROOT and every MONOLITH_PARITY_* setting of the caller's environment are
# dropped, so an exported checkout (as the README tells a real user to do) does not leak into it.
demo: setup
	cd tests/sample && status=0; \
		env $$(env | sed -n 's/^\(MONOLITH_ROOT\|MONOLITH_PARITY_[A-Z0-9_]*\)=.*/-u \1/p') \
		MONOLITH_PARITY_RUST_WORKER=$(CURDIR)/$(SAMPLE_WORKER) \
		$(PYTHON) -m pytest -p no:cacheprovider -m parity cases -n $(JOBS) -q -rN || status=$$?; \
		echo "open $(CURDIR)/tests/sample/parity-report/parity-report.html (also .json, .md, summary.md)"; \
		exit $$status

bench: setup
	$(PYTHON) bench/bench_tensor.py
	$(PYTHON) bench/bench_proto.py
	$(PYTHON) bench/bench_suite.py

clean:
	rm -rf $(STAMPS) parity-report tests/sample/parity-report
