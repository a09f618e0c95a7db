# ufhook's build. `make test` is what CI runs (.ci/run).
GO ?= go
REDOCLY ?= npx -y @redocly/cli@2.77.0

.PHONY: all generate check-generated vet test lint-spec bench

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

## test: vet, check that gen/ is up to date, run every test with the race detector, then
## validate 10,000 fake payloads per event and shape (fewer run under -race)
test: vet check-generated
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run '^TestPayloadsValidate$$' ./mock/fake

## lint-spec: lint the OpenAPI document with Redocly (needs npx)
lint-spec:
	$(REDOCLY) lint openapi/webhooks.yaml

## bench: the speed targets (see docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
