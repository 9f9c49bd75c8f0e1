#!/bin/bash
# Runs on the PMG host: providers/pmghost/configSync.ts sends it over SSH on stdin (`bash -s -- ARGS`).
# Regenerates PMG's configuration from its templates, as after any hand change (reference 2.8 and
# 2.10: `pmgconfig sync --restart 1` rewrites main.cf from the template override and reloads only
# the services whose files changed), then checks that the rendered main.cf holds each NAME=VALUE
# given as an argument: a template override PMG did not pick up must fail here, not later in the
# mail log.
set -euo pipefail

if ! command -v pmgconfig >/dev/null 2>&1; then
  echo "pmgconfig-sync: pmgconfig is not on PATH; is this a Proxmox Mail Gateway host?" >&2
  exit 2
fi
for pair in "$@"; do
  case "$pair" in
    [A-Za-z]*=*) ;;
    *) echo "pmgconfig-sync: argument '$pair' is not NAME=VALUE" >&2; exit 2 ;;
  esac
done

pmgconfig sync --restart 1

status=0
for pair in "$@"; do
  name=${pair%%=*}
  want=${pair#*=}
  have=$(postconf -h -- "$name" 2>/dev/null) || have="(postconf failed)"
  if [ "$have" != "$want" ]; then
    echo "pmgconfig-sync: after the sync, main.cf has $name = $have, expected $want; check /etc/pmg/templates/main.cf.in and run pmgconfig sync --restart 1 by hand to see PMG's message" >&2
    status=3
  fi
done
exit "$status"
