# kgotop's everyday commands. `make test` is what CI runs (.ci/run).
.PHONY: build demo test unit sandbox sandbox-down bench

build:
	go build -o bin/kgotop ./cmd/kgotop

demo:
	go run ./cmd/kgotop --demo

test:
	scripts/test

unit:
	KGOTOP_SKIP_E2E=1 scripts/test

sandbox:
	scripts/sandbox up

sandbox-down:
	scripts/sandbox down

bench:
	go test -run '^$$' -bench . -benchmem ./...

# What kgotop costs at 1k-10k pods on a sandbox of its own (scripts/bench; ~25 min).
.PHONY: bench-scale
bench-scale:
	scripts/bench
