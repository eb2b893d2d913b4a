#!/usr/bin/env bash
# Keep one process running: start it again whenever it exits, waiting longer after each
# quick failure (1, 2, 4 … up to 30 s; back to 1 s once it has run a minute).
#   scripts/supervise.sh celery -A jiufeng worker --loglevel=INFO
# Procfile.dev runs the worker and beat through it: honcho (`make run`) stops every process
# when one of them ends, so a worker that died would take the web server down with it.
# SIGTERM or SIGINT (honcho's Ctrl-C) stops the child and then the loop.
set -u

delay=1
child=

stop() {
  if [ -n "$child" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child"
  fi
  exit 0
}
trap stop TERM INT

while true; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  status=$?
  child=
  if ((SECONDS - started >= 60)); then
    delay=1
  fi
  echo "supervise.sh: '$*' exited with status $status; starting it again in ${delay}s" >&2
  # In the background, so that a signal ends the wait at once.
  sleep "$delay" &
  child=$!
  wait "$child"
  child=
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
