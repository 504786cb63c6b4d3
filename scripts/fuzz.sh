#!/usr/bin/env bash
# Runs each fuzz target given as package:Target for FUZZTIME (first argument).
#
# Go's fuzzing coordinator sometimes ends a time-bounded run with only
# "context deadline exceeded": the deadline arrived while a worker was still
# answering, and no input failed. That run found nothing, so it is retried
# once. A run that wrote a new failing input under testdata/fuzz/<Target>/,
# or failed in any other way, fails the job.
set -uo pipefail
fuzztime=$1; shift
go=${GO:-go}
for t in "$@"; do
	pkg=${t%%:*}; name=${t##*:}
	corpus="$pkg/testdata/fuzz/$name"
	for attempt in 1 2; do
		echo "fuzz $pkg $name for $fuzztime (attempt $attempt)"
		before=$(ls "$corpus" 2>/dev/null | sort)
		out=$($go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" "$pkg" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		[ $rc -eq 0 ] && break
		after=$(ls "$corpus" 2>/dev/null | sort)
		if [ "$before" = "$after" ] && [ $attempt -eq 1 ] &&
			printf '%s\n' "$out" | grep -q 'context deadline exceeded' &&
			! printf '%s\n' "$out" | grep -q 'Failing input written'; then
			echo "fuzz $pkg $name: coordinator deadline with no failing input; retrying once"
			continue
		fi
		exit $rc
	done
done
