#!/usr/bin/env bash
# Install the desk into .venv and run it (the sandbox web page when no bot token is configured).
set -euo pipefail
cd "$(dirname "$0")/.."
# The weekly summary's chart needs a font with Chinese glyphs, or its labels are boxes (tofu).
if [ -z "$(fc-list :lang=zh 2>/dev/null || true)" ]; then
  { apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      fonts-wqy-microhei fontconfig; } >/dev/null \
    || echo "warning: could not install fonts-wqy-microhei; chart labels may show as boxes" >&2
fi
# Every button starts with an emoji: without an emoji font the sandbox page shows boxes.
if [ -z "$(fc-list :charset=1f4dd 2>/dev/null || true)" ]; then
  { apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      fonts-noto-color-emoji fontconfig; } >/dev/null \
    || echo "warning: could not install fonts-noto-color-emoji; emoji may show as boxes" >&2
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/dianxiaoer "$@"
