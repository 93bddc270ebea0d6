#!/usr/bin/env bash
# Debian's Chromium (and CJK fonts, so Chinese renders in screenshots) for the browser
# tests. Playwright drives /usr/bin/chromium through executable_path: its own browser
# download cannot work here, so `playwright install` is never run.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -q >/dev/null
    $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
