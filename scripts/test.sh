#!/usr/bin/env bash
# Install the desk with its test tools into .venv and run the whole test suite, on every core.
# Arguments go to pytest: `-m "not slow"` is the everyday run, `-n 0` runs in one process,
# PYTEST_XDIST_AUTO_NUM_WORKERS=N sets the number of workers (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
# The weekly summary's chart needs a font with Chinese glyphs, or its labels are boxes (tofu).
# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
packages=()
if [ -z "$(fc-list :lang=zh 2>/dev/null || true)" ]; then
  packages+=(fonts-wqy-microhei fontconfig)
fi
if [ -z "$(fc-list :charset=1f4dd 2>/dev/null || true)" ]; then
  packages+=(fonts-noto-color-emoji fontconfig)  # the sandbox's buttons start with emoji
fi
if [ ! -x /usr/bin/chromium ]; then
  packages+=(chromium)
fi
if [ "${#packages[@]}" -gt 0 ]; then
  { apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${packages[@]}"; } >/dev/null \
    || echo "warning: could not install ${packages[*]}; the chart font test or the browser" \
      "tests will skip" >&2
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# loadgroup: the tests that share one expensive fixture (a module's scene, the browser) are
# marked xdist_group and stay on one worker; every other test goes wherever a worker is free.
parallel=(-n auto --dist loadgroup)
for arg in "$@"; do
  case "$arg" in
    no:xdist | -pno:xdist) parallel=() ;;  # xdist switched off: its options would be refused
  esac
done
exec .venv/bin/python -m pytest "${parallel[@]}" "$@"
