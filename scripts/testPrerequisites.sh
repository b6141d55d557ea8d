#!/usr/bin/env bash
# What `npm test` needs besides npm packages, installed when missing, so that the README's test command passes on
# a fresh Debian machine (issue #10): the stock `age` CLI (the vault must open with it), `chromium` (webview and
# workbench tests, headless), `libkrb5-dev` (a native addon of code-server, the VS Code test host, builds against
# it), GNU `parallel` (the shards' sample script is run as written), then the VS Code test host itself (scripts/setupVscodeHost.sh, cached outside the checkout).
# As root with apt-get it installs them; otherwise it prints the one command to run and fails. Idempotent: with
# everything present it only checks (well under a second, plus the host's own check).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package → the command that shows it is installed.
declare -A PROVIDES=([age]=age [chromium]=chromium [libkrb5-dev]=krb5-config [parallel]=parallel)

missing=()
for package in age chromium libkrb5-dev parallel; do
  command -v "${PROVIDES[$package]}" >/dev/null || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  install="apt-get update && apt-get install -y ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "testPrerequisites: missing ${missing[*]} and this is no Debian/Ubuntu machine (no apt-get): install them with your package manager, then run npm test again" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo"
  else
    echo "testPrerequisites: missing ${missing[*]}; run as root:  $install  — then npm test again" >&2
    exit 1
  fi
  echo "testPrerequisites: installing ${missing[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

scripts/setupVscodeHost.sh
