# llmq — the two commands a new machine needs: `make demo` and `make test`.
# Each installs what is missing (Debian's libsqlite3-dev), then builds.
# `make install [PREFIX=/usr/local]` installs a standalone release binary.

SWIFT ?= swift
PREFIX ?= /usr/local
# Release flags of the installed binary: the Swift runtime and Foundation linked in
# statically, so the binary runs on a machine without the toolchain.
RELEASE_FLAGS = -c release --product llmq --static-swift-stdlib

.PHONY: deps build release install demo test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Builds the release binary and copies it to $(DESTDIR)$(PREFIX)/bin/llmq: one file
# (the rank files and migrations are inside it).
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/llmq" "$(DESTDIR)$(PREFIX)/bin/llmq"
	@echo "installed $(DESTDIR)$(PREFIX)/bin/llmq"

# The main job, offline: jobs/demo.jsonl through the built-in fake OpenAI server.
demo: deps
	$(SWIFT) build --product llmq
	"$$($(SWIFT) build --show-bin-path)/llmq" demo --batch-size 32

# Serially: a parallel run on 2 cores starves the fake servers' event loops, and some
# older tests that assert on real elapsed time then fail (354 tests: 136 s serial).
test: deps
	$(SWIFT) test --no-parallel

bench: deps
	bash scripts/bench-ingest.sh

clean:
	rm -rf .build
