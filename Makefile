# Every target bootstraps .venv itself: a fresh clone needs only Python 3.11+ (and Java 17,
# which `make test` / `make demo` install with apt-get when `java` is missing).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STACK  ?= dev
HOME_DIR ?= .local/demo
EVENTS ?= 50000

.PHONY: help venv java test demo lint preview bench clean

help:
	@echo "make demo              generate ~50k events, run the pipeline locally, show the tables,"
	@echo "                       write the dashboard as HTML (HOME_DIR/report.html)"
	@echo "make test              install everything and run the test suite"
	@echo "make lint              ruff + actionlint"
	@echo "make preview STACK=dev the offline Pulumi plan (mocks, no credentials)"
	@echo "make bench             benchmarks at 200k events -> docs/benchmarks.md figures"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

java:
	@bash scripts/ensure-java.sh

test: $(STAMP) java
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/actionlint

demo: $(STAMP) java
	@if [ -d $(HOME_DIR)/landing ]; then \
	  echo "$(HOME_DIR)/landing exists: running on it (make clean starts over)"; \
	else \
	  $(BIN)/clickstream-local generate --out $(HOME_DIR)/landing --events $(EVENTS) --seed 7; \
	fi
	$(BIN)/clickstream-local run --landing $(HOME_DIR)/landing --home $(HOME_DIR)
	$(BIN)/clickstream-local show --home $(HOME_DIR)
	$(BIN)/clickstream-local report --home $(HOME_DIR)

preview: $(STAMP)
	$(BIN)/python -m infra.preview --stack $(STACK)

bench: $(STAMP) java
	$(BIN)/python -m benchmarks.run --events 200000

clean:
	rm -rf .local benchmarks/out
