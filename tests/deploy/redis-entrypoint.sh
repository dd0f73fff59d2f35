#!/bin/sh
# Runs the given command; a Redis server listens on every interface without protected
# mode, as in the official image.
set -eu
if [ "$1" = redis-server ]; then
  exec "$@" --bind 0.0.0.0 --protected-mode no
fi
exec "$@"
