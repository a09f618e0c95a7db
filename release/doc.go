// Package release holds no code: its tests check the files that ship ufhook
// to teams that do not write Go, in the repository as they are.
//
//   - .goreleaser.yaml builds the six release archives and checksums.txt
//     (goreleaser_test.go), with the version, commit and date in the binary;
//   - docs/ci/*.yml and action.yml pass actionlint, with shellcheck over
//     their scripts, and docs/ci/check.sh and scripts/*.sh pass shellcheck
//     (lint_test.go);
//   - the shell steps of docs/ci/github-actions.yml, docs/ci/github-action.yml,
//     docs/ci/gitlab-ci.yml, docs/ci/check.sh and action.yml run, as written,
//     against a receiver on loopback, downloading a fake release of a freshly
//     built ufhook from a loopback server (snippets_test.go).
//
// They need bash, curl, tar, sha256sum and shellcheck; .ci/run installs
// shellcheck. scripts/release-snapshot.sh and scripts/image-check.sh, which
// need minutes and podman, are run by hand, not by these tests.
package release
