#!/usr/bin/env bash
# The benchmark behind docs/PERFORMANCE.md, from nothing to the table:
#
#   bench/run.sh                  # full size (seed_scale defaults), 20 users, 60 s per page
#   BENCH_QUICK=1 bench/run.sh    # small data, 15 s per page: a check that everything works
#
# A throwaway PostgreSQL 15 (scripts/with-postgres), migrate, seed_scale, then one request at a
# time inside the app (bench/pages.py: time and SQL queries per page), then gunicorn on
# 127.0.0.1 only, with DJANGO_DEBUG=0, driven by locust (bench/locustfile.py) page after page,
# each at a fixed concurrency for a fixed time. The same gunicorn serves a constant page
# (/bench/baseline/, CLINIC_BENCH_BASELINE=1) that every page's throughput is compared with.
# Results: bench/results/<UTC time>/ (ignored by git); the table is printed at the end.
#
# Knobs (environment): BENCH_THERAPISTS, BENCH_ROOMS, BENCH_PATIENTS, BENCH_YEARS, BENCH_SEED,
# BENCH_DURATION (seconds measured per page, 60), BENCH_USERS (20), BENCH_WORKERS (4), BENCH_THREADS (1),
# BENCH_SCENARIOS (a subset of: baseline baseline_logged_in day_board patient_search patient_chart
# portal_home availability booking baseline_logged_in_again; booking writes, so it runs after the
# reads; the logged-in constant page is read again at the end, bench/report.py says why).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# With --inside and BENCH_SKIP_SEED=1, an existing DATABASE_URL that seed_scale filled before is
# measured again as it is (bookings of earlier runs included).
if [[ ${1:-} != --inside ]]; then
    exec scripts/with-postgres "$0" --inside
fi

say() { printf '\n==> %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

quick=${BENCH_QUICK:-}
pick() { if [[ -n $quick ]]; then echo "$2"; else echo "$1"; fi; }
THERAPISTS=${BENCH_THERAPISTS:-$(pick 60 12)}
ROOMS=${BENCH_ROOMS:-$(pick 20 5)}
PATIENTS=${BENCH_PATIENTS:-$(pick 50000 3000)}
YEARS=${BENCH_YEARS:-$(pick 3 0.5)}
SEED=${BENCH_SEED:-1}
DURATION=${BENCH_DURATION:-$(pick 60 15)}  # seconds measured, from when every user is logged in
USERS=${BENCH_USERS:-20}
WORKERS=${BENCH_WORKERS:-4}
THREADS=${BENCH_THREADS:-1}
SCENARIOS=${BENCH_SCENARIOS:-baseline baseline_logged_in day_board patient_search patient_chart portal_home availability booking baseline_logged_in_again}
OUT=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" bench/results/latest

say "Python environments"
make --no-print-directory .venv/.installed-requirements
if ! cmp -s bench/requirements.txt bench/.venv/.installed-requirements 2>/dev/null; then
    python3 -m venv bench/.venv
    bench/.venv/bin/python -m pip install --quiet -r bench/requirements.txt
    cp bench/requirements.txt bench/.venv/.installed-requirements
fi

# Production settings, except plain HTTP on the loopback (no TLS in between).
export DJANGO_DEBUG=0 DJANGO_SETTINGS_MODULE=clinic.settings
DJANGO_SECRET_KEY="bench-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_HSTS_SECONDS=0
export CLINIC_BENCH_BASELINE=1 DJANGO_LOG_LEVEL=ERROR PYTHONUNBUFFERED=1

{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/results' || echo ' (with uncommitted changes)')"
    echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
    echo "memory: $(free -g | awk '/Mem:/ {print $2}') GB"
    echo "postgresql: $(/usr/lib/postgresql/15/bin/postgres --version)"
    echo "data: --therapists $THERAPISTS --rooms $ROOMS --patients $PATIENTS --years $YEARS --seed $SEED"
    echo "load: $USERS users, $DURATION s per page, gunicorn $WORKERS workers x $THREADS threads"
} | tee "$OUT/machine.txt"

say "Migrate and seed"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --noinput -v0
if [[ -z ${BENCH_SKIP_SEED:-} ]]; then
    .venv/bin/python manage.py seed_scale -v2 \
        --therapists "$THERAPISTS" --rooms "$ROOMS" --patients "$PATIENTS" --years "$YEARS" --seed "$SEED" \
        2>&1 | tee "$OUT/seed.txt"
fi
.venv/bin/python bench/targets.py >"$OUT/targets.json"
export BENCH_TARGETS=$OUT/targets.json

say "One request at a time (bench/pages.py)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
.venv/bin/python bench/pages.py "$OUT/targets.json" 2>/dev/null | tee "$OUT/pages.txt"

say "gunicorn"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/gunicorn clinic.wsgi --bind "127.0.0.1:$port" --workers "$WORKERS" --threads "$THREADS" \
    --timeout 120 --log-level warning --error-logfile "$OUT/gunicorn.log" &
gunicorn_pid=$!
trap 'kill "$gunicorn_pid" 2>/dev/null || true; wait "$gunicorn_pid" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/bench/baseline/', timeout=2)" \
        2>/dev/null && break
    sleep 1
done

declare -A CLASSES=(
    [baseline]=Baseline [baseline_logged_in]=LoggedInBaseline [day_board]=DayBoard
    [patient_search]=PatientSearch [patient_chart]=PatientChart [portal_home]=PortalHome
    [availability]=Availability [booking]=Booking [baseline_logged_in_again]=LoggedInBaseline
)
# Requests still queued from the previous page would be served during the next one's log-ins:
# wait until the constant page comes back quickly several times in a row.
wait_idle() {
    python3 - "$port" <<'EOF'
import sys, time, urllib.request
url, quick, deadline = f"http://127.0.0.1:{sys.argv[1]}/bench/baseline/", 0, time.monotonic() + 600
while quick < 5 and time.monotonic() < deadline:
    started = time.monotonic()
    try:
        urllib.request.urlopen(url, timeout=120).read()
        quick = quick + 1 if time.monotonic() - started < 0.2 else 0
    except OSError:
        quick = 0
    time.sleep(0.2)
EOF
}

for scenario in $SCENARIOS; do
    wait_idle
    say "locust: $scenario ($USERS users, ${DURATION} s)"
    echo "$scenario load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
    # locust exits non-zero when a request failed; the table reports the errors.
    BENCH_MEASURE_SECONDS=$DURATION bench/.venv/bin/locust -f bench/locustfile.py "${CLASSES[$scenario]}" \
        --headless --only-summary -u "$USERS" -r "$USERS" -t "$((DURATION + 600))s" --stop-timeout 10 \
        --host "http://127.0.0.1:$port" --csv "$OUT/$scenario" --loglevel WARNING 2>"$OUT/$scenario.log" || true
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

say "Results ($OUT)"
cat "$OUT/pages.txt"
echo
python3 bench/report.py "$OUT"
