# Sourced by scripts/bench-issuer and scripts/bench-scale, whose issuers log to $work/<name>/err.

# wrk_rate name out-file [wrk args...]: the requests/s of one wrk run against issuer <name>, as wrk
# prints it. A run with any non-2xx answer is a failed run, not a fast one: it shows the count and
# the issuer's last log lines, and exits.
wrk_rate() {
  local name=$1 out=$2; shift 2
  wrk "$@" > "$out"
  if grep -q "Non-2xx" "$out"; then
    grep -H "Non-2xx" "$out" >&2; tail -3 "$work/$name/err" >&2; exit 1
  fi
  awk '/Requests\/sec/ {print $2}' "$out"
}

# median x...: the median of the numbers.
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
