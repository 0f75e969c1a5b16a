# Every target bootstraps .venv itself: a fresh clone needs only Python 3.11+ (and Java 17,
# which `make test` / `make demo` install with apt-get when `java` is missing).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The CrossGuard pack runs in its own virtualenv (policy/requirements.txt: pulumi-policy pins a
# protobuf that cannot share .venv with pyspark); `pulumi preview --policy-pack policy` uses it.
POLICY_STAMP := policy/venv/.installed
LOCK   := requirements.lock
STACK  ?= dev
HOME_DIR ?= .local/demo
EVENTS ?= 50000

.PHONY: help venv lock java chromium test demo lint typecheck preview bench clean

help:
	@echo "make demo              generate ~50k events, run the pipeline locally, show the tables,"
	@echo "                       write the dashboard as HTML (HOME_DIR/report.html)"
	@echo "make test              install everything and run the test suite"
	@echo "make lint              ruff check, mypy, actionlint, ruff format --check"
	@echo "make lock              re-pin requirements.lock after changing pyproject.toml"
	@echo "make preview STACK=dev the offline Pulumi plan (mocks, no credentials) + the policy rules"
	@echo "make bench             benchmarks at 200k events -> docs/benchmarks.md figures"

# The exact environment comes from the lockfile (hash-checked); the project itself is then
# installed editable without resolving anything again.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $(STAMP)

$(POLICY_STAMP): policy/requirements.txt
	$(PYTHON) -m venv policy/venv
	policy/venv/bin/pip install --quiet -r policy/requirements.txt
	@touch $(POLICY_STAMP)

venv: $(STAMP) $(POLICY_STAMP)

# Every Python 3.11+ platform in one file; existing pins are kept unless pyproject.toml needs
# others (uv reads the current lockfile as its preference). An unchanged lockfile is not touched,
# so it does not make the next target reinstall .venv.
lock: $(STAMP)
	cp $(LOCK) $(LOCK).new
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" --output-file $(LOCK).new
	@if cmp -s $(LOCK).new $(LOCK); then rm $(LOCK).new; echo "$(LOCK) is up to date"; \
	else mv $(LOCK).new $(LOCK); echo "$(LOCK) updated: commit it"; fi

java:
	@bash scripts/ensure-java.sh

chromium:
	@bash scripts/ensure-chromium.sh

test: $(STAMP) java chromium
	$(BIN)/python -m pytest

# ruff format --check runs last, so the other checks report even while formatting is pending.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/actionlint
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

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
	rm -rf .local benchmarks/out policy/venv
