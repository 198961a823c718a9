# Shared by scripts/setup, run, test: where the source tree and the build live.
# The build lives outside the source tree, one folder per checkout (keyed by its path).
QARRAY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QARRAY_BUILD=${QARRAY_BUILD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qarray/build-$(printf %s "$QARRAY_ROOT" | md5sum | cut -c1-10)}
export QARRAY_ROOT QARRAY_BUILD
