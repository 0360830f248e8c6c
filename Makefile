# llmq — the two commands a new machine needs: `make demo` and `make test`.
# Each installs what is missing (Debian's libsqlite3-dev), then builds.

SWIFT ?= swift
DEMO_DB ?= $(CURDIR)/.build/demo.sqlite

.PHONY: deps build release demo test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product llmq

# The main job, offline.
demo: release
	@rm -f "$(DEMO_DB)" "$(DEMO_DB)-wal" "$(DEMO_DB)-shm"
	.build/release/llmq enqueue --db "$(DEMO_DB)" jobs/example.jsonl
	.build/release/llmq status --db "$(DEMO_DB)"

test: deps
	$(SWIFT) test

bench: deps
	bash scripts/bench-ingest.sh

clean:
	rm -rf .build
