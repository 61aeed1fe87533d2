// Package release holds no code: its tests check how sentinel is built and
// shipped. CGO_ENABLED=0 builds for the six release targets, the module list
// and size of the linux/amd64 binary, the GitHub workflows (they parse and
// name make targets that exist) and the README's install lines (the tag set).
package release
