# sentinel: build, test, demo and benchmarks. `make help` lists the targets.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/sentinel-cli/sentinel/cli.Version=$(VERSION)
# The tests fail instead of skipping when DynamoDB Local, the AWS CLI or the
# AWS Lambda Runtime Interface Emulator is missing.
export SENTINEL_REQUIRE_DYNAMODB = 1
export SENTINEL_REQUIRE_AWSCLI = 1
export SENTINEL_REQUIRE_LAMBDA_RIE = 1

.PHONY: help build test deps vet fmt-check lint demo bench fuzz clean

# staticcheck, pinned; `go run` fetches it from the module proxy once.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: ## build ./sentinel
	$(GO) build -trimpath -tags lambda.norpc -ldflags '$(LDFLAGS)' -o sentinel .

deps: ## install what the tests need (AWS CLI, Java, DynamoDB Local, Lambda emulator)
	./scripts/install-test-deps.sh

vet:
	$(GO) vet ./...

lint: ## staticcheck (pinned)
	$(GO) run $(STATICCHECK) ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: deps vet fmt-check lint ## install test dependencies, then vet, gofmt, staticcheck and every test with the race detector
	./scripts/cfn-lint.sh
	$(GO) test -race -timeout 20m ./...

demo: build ## the main job, offline: exec, credentials, approvals and break-glass against a local STS stand-in
	./scripts/demo.sh

bench: build ## benchmarks: policy evaluation, log append, and the credential_process warm path vs a trivial process
	$(GO) test -run '^$$' -bench . -benchmem ./policy ./logging
	./scripts/bench-warm-path.sh

fuzz: ## run each fuzz target for a short while
	./scripts/fuzz.sh

clean:
	rm -f sentinel
	rm -rf bin
