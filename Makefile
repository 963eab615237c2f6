# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := digigov.settings
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup demo serve test lint bench openapi clean

$(UV):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "需要 Python 3.11 或更高版本")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

setup: $(VENV)/.synced

demo: setup
	$(BIN)/digigov migrate --noinput
	$(BIN)/digigov seed --demo
	$(BIN)/digigov demo_logins
	@echo "digigov 正在 http://$(HOST):$(PORT)/ 提供服务（Ctrl+C 停止）"
	$(BIN)/gunicorn digigov.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - --log-level warning

serve: setup
	$(BIN)/gunicorn digigov.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4

test: setup
	bash scripts/test.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python -m bench

openapi: setup
	$(BIN)/digigov export_openapi docs/openapi.json

clean:
	rm -rf $(VENV) var
