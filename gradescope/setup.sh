#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu; network is
# available at this stage). It installs Node.js >= 20 and the grader into /autograder/grader.
#
# The zip you upload holds: setup.sh, run_autograder, grader.tar (the grader package, see
# README.md) and, optionally, backprop-grader.config.json (your points, tolerances, limits).
set -euo pipefail

# Node from nodejs.org, pinned and checked against the published SHA-256 sums. Ubuntu's own
# nodejs package is too old (18 on 24.04, 12 on 22.04); the grader needs >= 20.
NODE_VERSION="${NODE_VERSION:-20.18.0}"
GRADER_DIR=/autograder/grader

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# bubblewrap: the sandbox runs each submission in its own Linux namespaces where the container
# allows them (otherwise the grader falls back to Node's permission model and says so).
apt-get install -y -q --no-install-recommends ca-certificates curl xz-utils bubblewrap

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if ! command -v node >/dev/null 2>&1 || [ "$(node_major)" -lt 20 ]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "setup.sh: unsupported CPU $(uname -m)" >&2; exit 1 ;;
  esac
  tarball="node-v${NODE_VERSION}-linux-${arch}.tar.xz"
  tmp="$(mktemp -d)"
  (
    cd "$tmp"
    curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/${tarball}"
    curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/SHASUMS256.txt"
    grep "  ${tarball}\$" SHASUMS256.txt | sha256sum -c -
    tar -xJf "$tarball" -C /usr/local --strip-components=1 --exclude='*/CHANGELOG.md' --exclude='*/README.md' --exclude='*/LICENSE'
  )
  rm -rf "$tmp"
fi
echo "node $(node --version), npm $(npm --version)"

# The grader: unpack and install exactly the locked dependencies, without the dev tools (test
# framework, compiler, browser driver: ~100 MB the image does not need); `npm ci` also builds the
# CLI (the package's prepare script).
rm -rf "$GRADER_DIR"
mkdir -p "$GRADER_DIR"
tar -xf /autograder/source/grader.tar -C "$GRADER_DIR"
cd "$GRADER_DIR"
npm ci --omit=dev --no-audit --no-fund

# Smoke test: the untouched stubs grade (to 0) without an internal failure.
node bin/backprop-grader.js grade exercises --no-config --format json --seed 1 > /dev/null
echo "backprop-grader $(node bin/backprop-grader.js --version) is ready in $GRADER_DIR"
