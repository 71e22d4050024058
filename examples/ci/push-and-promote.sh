#!/usr/bin/env sh
# Push a model package, promote it to an alias (default staging) and wait until the new
# version is loaded and answering; any refusal (invalid package, policy, health) exits
# non-zero with the reason, so any CI system can gate on it.
#
#   SLIPWAY_SERVER=https://slipway.example.com SLIPWAY_TOKEN=… examples/ci/push-and-promote.sh examples/credit-risk
#
# Exit codes: 2 invalid package or flags, 3 not found, 4 token or policy refused,
# 5 not healthy in time / server unreachable, 6 conflict, 1 anything else.
set -eu

package_dir="${1:-examples/credit-risk}"
alias_name="${SLIPWAY_PROMOTE_ALIAS:-staging}"
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"

npx slipway push "$package_dir" \
  --code-commit "$commit" \
  --promote "$alias_name" \
  --wait-healthy \
  --health-timeout 300

npx slipway runs ls --pipeline "$(basename "$package_dir")" --limit 5
