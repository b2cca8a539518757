#!/usr/bin/env bash
# A vaec that dies on one segment, for the dead-worker tests of scripts/vaec-chunked:
# `vaec encode ... --start-frame $VAEC_FAIL_START ...` fails (VAEC_FAIL_MODE=exit, the default)
# or is killed by SIGKILL (VAEC_FAIL_MODE=kill); everything else runs $VAEC_REAL.
set -euo pipefail
args=" $* "
if [[ $args == *" encode "* && $args == *" --start-frame ${VAEC_FAIL_START:?} "* ]]; then
  echo "failing-vaec: simulated worker failure at frame $VAEC_FAIL_START" >&2
  [[ ${VAEC_FAIL_MODE:-exit} == kill ]] && kill -KILL $$
  exit 1
fi
exec "${VAEC_REAL:?}" "$@"
