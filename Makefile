# sentinel: build, test, demo, release and benchmarks. `make help` lists the targets.

GO      ?= go
# One tag set for every build (why each: internal/buildtags/buildtags.go).
comma   := ,
TAGS    := $(subst $(eval) ,$(comma),$(strip $(shell cat internal/buildtags/tags.txt)))
# The stamps --version reports. DATE is the commit's time, not the build's,
# so that two builds of one commit are the same bytes.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH
STAMP   := github.com/sentinel-cli/sentinel/cli
LDFLAGS := -s -w -buildid= -X $(STAMP).Version=$(VERSION) -X $(STAMP).Commit=$(COMMIT) -X $(STAMP).Date=$(SOURCE_DATE_EPOCH)
# The Lambda function's architecture: arm64 (Graviton) or amd64.
ARCH    ?= arm64
# Where make deps puts the pinned tools (git-ignored).
TOOLBIN ?= $(CURDIR)/bin
export TOOLBIN
# Under make test, the tests fail instead of skipping when DynamoDB Local,
# the AWS CLI or the AWS Lambda Runtime Interface Emulator is missing (make
# deps installs them). make unit, which CI runs on macOS and Windows where
# they are not installed, lets those tests skip.
REQUIRE_ALL := SENTINEL_REQUIRE_DYNAMODB=1 SENTINEL_REQUIRE_AWSCLI=1 SENTINEL_REQUIRE_LAMBDA_RIE=1

.PHONY: help build test unit tools deps vet fmt-check lint demo bench fuzz clean dist dist-check dist-darwin lambda

# staticcheck, pinned; `go run` fetches it from the module proxy once.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# make build links statically (no cgo) as the release archives do
# (scripts/dist.sh): no dynamic loader and libc at every start, and user and
# DNS look-ups in Go. On macOS cgo stays on for the keychain.
BUILD_CGO ?= $(if $(filter Darwin,$(shell uname -s)),1,0)

build: ## build ./sentinel
	CGO_ENABLED=$(BUILD_CGO) $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o sentinel .

deps: tools ## install what the tests and make dist need (AWS CLI, Java, DynamoDB Local, Lambda emulator, nfpm, cyclonedx-gomod)
	./scripts/install-test-deps.sh

tools: ## install the pinned release tools (nfpm, cyclonedx-gomod) into ./bin and download the modules
	./scripts/install-tools.sh

vet: ## go vet with the tag set
	$(GO) vet -tags '$(TAGS)' ./...

lint: ## staticcheck (pinned)
	$(GO) run $(STATICCHECK) -tags '$(TAGS)' ./...

fmt-check: ## fail if a Go file needs gofmt
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit: ## the tests without the e2e package, as CI runs them on macOS and Windows
	$(GO) test -tags '$(TAGS)' $$($(GO) list ./... | grep -v '/e2e$$')

test: deps vet fmt-check lint ## install test dependencies, then vet, gofmt, staticcheck, cfn-lint, every test with the race detector, and make dist twice compared
	./scripts/cfn-lint.sh
	$(REQUIRE_ALL) $(GO) test -race -tags '$(TAGS)' -timeout 20m ./...
	$(MAKE) dist-check

dist: ## release archives, .deb/.rpm, SHA256SUMS, SBOM and Homebrew formula in dist/, reproducibly and offline
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' ./scripts/dist.sh dist

dist-darwin: ## on macOS: rebuild the darwin binaries in dist/ with cgo (keychain), then repackage and re-sum
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' ./scripts/dist.sh -darwin-cgo dist

dist-check: ## make dist twice into temporary directories and compare every file byte for byte
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' ./scripts/dist-check.sh

lambda: ## the Lambda bootstrap for provided.al2023 (ARCH=arm64|amd64): deploy/build/bootstrap (the template's CodeUri) and deploy/sentinel-lambda-$(ARCH).zip
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' LAMBDA_ZIP='deploy/sentinel-lambda-$(ARCH).zip' ./scripts/build-lambda.sh $(ARCH) deploy/build

demo: build ## the main job, offline: exec, credentials, approvals and break-glass against a local STS stand-in
	./scripts/demo.sh

bench: build ## issue 17's figures in one table, each with its target and pass/fail (a few minutes; COMPARE=old-binary adds a BEFORE column)
	$(GO) run -tags '$(TAGS)' ./scripts/benchtable -sentinel ./sentinel $(if $(COMPARE),-compare $(COMPARE))

fuzz: ## run each fuzz target for a short while
	./scripts/fuzz.sh

clean: ## remove ./sentinel, bin/ (the pinned tools), dist/ and deploy/build/
	rm -f sentinel
	rm -rf bin dist deploy/build deploy/sentinel-lambda-*.zip
