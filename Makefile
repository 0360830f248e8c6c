# llmq — the two commands a new machine needs: `make demo` and `make test`.
# Each installs what is missing (Debian's libsqlite3-dev), then builds.

SWIFT ?= swift
# Exact token counts in the demo when the shared rank files sit beside the checkout.
TOKENIZER_DIR ?= $(wildcard ../shared/tokenizers)

.PHONY: deps build release demo test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product llmq

# The main job, offline: jobs/demo.jsonl through the built-in fake OpenAI server.
demo: deps
	$(SWIFT) build --product llmq
	"$$($(SWIFT) build --show-bin-path)/llmq" demo --batch-size 32 $(if $(TOKENIZER_DIR),--tokenizer-dir $(TOKENIZER_DIR))

test: deps
	$(SWIFT) test

bench: deps
	bash scripts/bench-ingest.sh

clean:
	rm -rf .build
