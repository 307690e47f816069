#!/usr/bin/env bash
# Schemathesis against a live gunicorn with production settings, once with a token of each kind of user.
#
#   DATABASE_URL=postgres://... REDIS_URL=redis://... bash tests/support/schemathesis_live.sh [EXAMPLES] [PORT]
#
# PHASES (default "fuzzing") picks schemathesis's phases: "coverage,fuzzing" adds the coverage phase's boundary
# cases (some 5,000 requests a role, about 12 minutes a role on a busy 2-core machine). ROLES (default
# "ivy recruiter committee admin") picks the demo users.
#
# The database must hold the demo data (`manage.py migrate && manage.py load_rubrics && manage.py seed_demo`):
# its users admin, committee, recruiter and ivy (an interviewer) get a fresh read-write token each. Rate limits
# are raised for the run (a 429 is not what this looks for); everything else is production's. Prints, per role,
# the test cases schemathesis generated and the 5xx answers gunicorn logged (must be 0). Writes go to the
# database: run it on a scratch copy, never on real data.
set -euo pipefail
cd "$(dirname "$0")/../.."
EXAMPLES="${1:-25}"
PORT="${2:-8765}"
PHASES="${PHASES:-fuzzing}"
ROLES="${ROLES:-ivy recruiter committee admin}"
OUT="${SCHEMATHESIS_OUT:-test-artifacts/schemathesis-live}"
mkdir -p "$OUT"
rm -f "$OUT/access.log"
: "${DATABASE_URL:?set DATABASE_URL to a scratch database with the demo data}"

export DJANGO_ENV=production DJANGO_SECRET_KEY="schemathesis-live-$(date +%s)-0123456789abcdefghijklmnopqrstuv"
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false EMAIL_URL=dummymail://
export HIRELOOP_API_RATE_TOKEN_READ=100000/min HIRELOOP_API_RATE_TOKEN_WRITE=100000/min
export HIRELOOP_API_RATE_USER_READ=100000/min HIRELOOP_API_RATE_USER_WRITE=100000/min HIRELOOP_API_RATE_ANON=100000/min

declare -A TOKENS
for who in $ROLES; do
  TOKENS[$who]=$(.venv/bin/python manage.py shell -c "
from hiring.accounts.tokens import api_token_create
from hiring.models import User
print(api_token_create(actor=User.objects.get(username='$who'), name='schemathesis live', scope='read_write').plaintext)
" | tail -1)
done

.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --no-control-socket \
  --access-logfile "$OUT/access.log" --access-logformat '%(s)s %(m)s %(U)s %({x-role}i)s' \
  --error-logfile "$OUT/error.log" --daemon --pid "$OUT/gunicorn.pid"
trap 'kill "$(cat "$OUT/gunicorn.pid")" 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/api/schema/" -o /dev/null && break; sleep 0.2; done

printf '%-11s %10s %5s\n' role cases 5xx
for who in $ROLES; do
  .venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/schema/" \
    -H "Authorization: Bearer ${TOKENS[$who]}" -H "X-Role: $who" \
    --checks not_a_server_error --phases "$PHASES" --max-examples "$EXAMPLES" --seed 20261208 --generation-deterministic \
    --workers 1 --request-timeout 30 --continue-on-failure --no-color \
    --report ndjson --report-ndjson-path "$OUT/$who.ndjson" > "$OUT/$who.txt" 2>&1 || true
  cases=$(grep -oE '[0-9]+ generated' "$OUT/$who.txt" | grep -oE '[0-9]+' | head -1 || echo "?")
  errors=$(awk -v r="$who" '$4 == r && $1 ~ /^5/' "$OUT/access.log" | wc -l)
  printf '%-11s %10s %5s\n' "$([ "$who" = ivy ] && echo interviewer || echo "$who")" "${cases:-?}" "$errors"
done
