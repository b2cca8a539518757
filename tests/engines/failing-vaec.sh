#!/usr/bin/env bash
# A vaec that dies on one segment, for the dead-worker tests of scripts/vaec-chunked:
# `vaec encode ... --start-frame $VAEC_FAIL_START ...` fails (VAEC_FAIL_MODE=exit, the default),
# is killed by SIGKILL (VAEC_FAIL_MODE=kill), or encodes that segment at another quality, which
# vaec concat must refuse (VAEC_FAIL_MODE=quality); everything else runs $VAEC_REAL.
set -euo pipefail
args=" $* "
if [[ $args == *" encode "* && $args == *" --start-frame ${VAEC_FAIL_START:?} "* ]]; then
  if [[ ${VAEC_FAIL_MODE:-exit} == quality ]]; then
    out=() prev=""
    for a in "$@"; do [[ $prev == --quality ]] && a=20; out+=("$a"); prev=$a; done
    exec "${VAEC_REAL:?}" "${out[@]}"
  fi
  echo "failing-vaec: simulated worker failure at frame $VAEC_FAIL_START" >&2
  [[ ${VAEC_FAIL_MODE:-exit} == kill ]] && kill -KILL $$
  exit 1
fi
exec "${VAEC_REAL:?}" "$@"
