# homelang: `make all` runs the pipeline on the sample content, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HL     := $(VENV)/bin/homelang
STAMP  := $(VENV)/.installed

# command=debian-package pairs the tests and builds need on the system.
SYSTEM_PACKAGES := msgfmt=gettext msgmerge=gettext msgcat=gettext pdftotext=poppler-utils chromium=chromium
# pyicu (the bidi algorithm) is built from source against ICU at install time
BUILD_PACKAGES := pkg-config=pkg-config g++=g++ /usr/include/unicode/utypes.h=libicu-dev
# the benchmarks' baseline (a WeasyPrint loop) needs Pango
BENCH_PACKAGES := libpango-1.0.so=libpango-1.0-0 libpangoft2-1.0.so=libpangoft2-1.0-0

.PHONY: all setup system lint test bench reliability clean

all: setup
	$(HL) extract
	$(HL) update
	-$(HL) pretranslate
	$(HL) compile
	-$(HL) check
	$(HL) build --draft
	$(HL) letters --roster examples/sample-roster.csv --doc sanctuary-resolution
	@echo "The review dashboard is one command away: $(HL) serve  (then open the http://127.0.0.1:8765/?staff=... address it prints)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	scripts/system-packages.sh $(BUILD_PACKAGES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,cjk]'
	touch $@

system:
	scripts/system-packages.sh $(SYSTEM_PACKAGES)

lint: setup
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/ruff format --check pipeline tests bench

test: setup system lint
	$(PY) -m pytest -q -m "not slow"

bench: setup system
	scripts/system-packages.sh $(BENCH_PACKAGES)
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

reliability: setup system
	$(PY) -m pytest -q -m slow -s tests

clean:
	rm -rf build .homelang
	find locales -name '*.mo' -delete
