#!/usr/bin/env bash
# Loki's demo agent: a scripted stand-in for a coding-agent CLI, run as a "command" provider.
# It gets the prompt on stdin (and in $LOKI_PROMPT_FILE). As the loop's agent it edits, tests
# and commits over three iterations, the second with a bug the quality gates catch, and then
# claims completion. As a reviewer ($LOKI_CALL=review, or council for a council member) it answers code-review and council
# prompts in the format they ask for. No network, no account.
set -u
prompt="$(cat)"
say() { echo "[demo agent] $*"; }
commit() { git add -A >/dev/null 2>&1 && git -c commit.gpgsign=false commit -qm "$1" >/dev/null 2>&1; }

if [ "${LOKI_CALL:-iteration}" != iteration ]; then
  case "$prompt" in
    *"ANTI-SYCOPHANCY"*)
      printf 'VOTE: APPROVE\nREASON: I looked for gaps and found none: add, sub and mul exist and test.sh passes.\nISSUES: none\n' ;;
    *"VOTE:"*)
      printf 'VOTE: APPROVE\nREASON: every requirement of the PRD has code and a passing test.\nISSUES: none\n' ;;
    *)
      printf 'VERDICT: PASS\nFINDINGS:\n- [Low] no input validation for non-integers (calc.sh:1)\n' ;;
  esac
  exit 0
fi

case "${LOKI_ITERATION:-1}" in
  1)
    say "REASON: read PRD.md: a shell calculator with add, sub, mul and a test script"
    say "ACT: writing calc.sh with add and sub, and test.sh for them"
    printf 'add() { echo $(( $1 + $2 )); }\nsub() { echo $(( $1 - $2 )); }\n' > calc.sh
    cat > test.sh <<'T'
. ./calc.sh
fail=0
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected $3, got $2"; fail=1; fi; }
check "add 2 3" "$(add 2 3)" 5
check "sub 5 3" "$(sub 5 3)" 2
T
    commit "calc: add and sub"
    say "VERIFY: add 2 3 = $(. ./calc.sh && add 2 3)"
    ;;
  2)
    say "ACT: adding mul and its test (with a bug in mul, the kind an agent makes)"
    printf 'add() { echo $(( $1 + $2 )); }\nsub() { echo $(( $1 - $2 )); }\nmul() { echo $(( $1 + $2 )); }\n' > calc.sh
    echo 'check "mul 4 3" "$(mul 4 3)" 12' >> test.sh
    echo 'exit $fail' >> test.sh
    commit "calc: mul and tests"
    ;;
  *)
    if printf '%s' "$prompt" | grep -q "QUALITY GATE FAILURES"; then
      say "REASON: the quality gates reported failures in the last iteration; fixing them first"
    fi
    say "ACT: fixing mul (it added instead of multiplying)"
    printf 'add() { echo $(( $1 + $2 )); }\nsub() { echo $(( $1 - $2 )); }\nmul() { echo $(( $1 * $2 )); }\n' > calc.sh
    commit "calc: fix mul"
    say "VERIFY: bash test.sh"
    bash test.sh | sed 's/^/[demo agent]   /'
    say "All requirements met and all tests pass: claiming completion"
    printf '{"type":"task_completion_claim","statement":"add, sub and mul implemented; test.sh passes","evidence":"bash test.sh: 3 ok","confidence":"high"}\n' \
      > .loki/signals/TASK_COMPLETION_CLAIMED
    ;;
esac
exit 0
