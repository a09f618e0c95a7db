# ufhook's build. `make test` is what CI runs (.ci/run).
GO ?= go
REDOCLY ?= npx -y @redocly/cli@2.77.0

.PHONY: all generate check-generated vet test lint-spec bench release-snapshot

all: test

## generate: regenerate gen/ from openapi/webhooks.yaml
generate:
	$(GO) generate ./...

## check-generated: fail if regenerating gen/ changes anything
check-generated:
	@tmp=$$(mktemp -d) && cp gen/*.gen.go "$$tmp"/ && \
	$(GO) generate ./gen && \
	for f in gen/*.gen.go; do \
	  cmp -s "$$f" "$$tmp/$$(basename $$f)" || { echo "$$f is stale: run 'make generate' and commit the result"; rm -rf "$$tmp"; exit 1; }; \
	done; rm -rf "$$tmp"; echo "gen/ is up to date"

vet:
	$(GO) vet ./...

## test: vet, check that gen/ is up to date, run every test with the race detector and,
## at the same time, validate 10,000 fake payloads per event and shape without it (200 run
## under -race), and 10,000 realistic ones of each webhook of each test document
## (mock/fake/documents_test.go). The race run spends much of its time linking test
## binaries and waiting on servers, processes and a browser; the validation is pure computation and fills the gaps.
## It fails when either fails. About 3 to 4 minutes on a 2-core machine (see README).
test: vet check-generated
	@echo "$(GO) test -count=1 -run '^(TestPayloadsValidate|TestDocumentPayloadsValidate)$$' ./mock/fake &"; \
	$(GO) test -count=1 -run '^(TestPayloadsValidate|TestDocumentPayloadsValidate)$$' ./mock/fake & payloads=$$!; \
	trap 'kill $$payloads 2>/dev/null' INT TERM; \
	echo "$(GO) test -race -count=1 ./..."; \
	$(GO) test -race -count=1 ./...; race=$$?; \
	wait $$payloads; payloads=$$?; \
	if [ $$payloads -ne 0 ]; then echo "make test: the validation of 10,000 payloads per event and shape failed (above): run go test -run '^(TestPayloadsValidate|TestDocumentPayloadsValidate)$$' ./mock/fake" >&2; fi; \
	[ $$race -eq 0 ] && [ $$payloads -eq 0 ]

## lint-spec: lint the OpenAPI document with Redocly (needs npx)
lint-spec:
	$(REDOCLY) lint openapi/webhooks.yaml

## bench: the speed targets (see docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## release-snapshot: build every release archive into dist/ with goreleaser, publishing
## nothing (scripts/release-snapshot.sh; not part of test)
release-snapshot:
	scripts/release-snapshot.sh
