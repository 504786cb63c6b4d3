package hosttest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRaceReports(t *testing.T) {
	const report = "==================\nWARNING: DATA RACE\nWrite at 0x00c by goroutine 7:\n  main.f()\n\nPrevious read at 0x00c by goroutine 6:\n  main.g()\n=================="
	const report2 = "==================\nWARNING: DATA RACE\nRead at 0x00d by goroutine 9:\n  main.h()\n=================="
	tests := []struct {
		name string
		logs string
		want string
	}{
		{"empty", "", ""},
		{"clean log", "1:M 01 Jan 2025 00:00:00.000 * Ready to accept connections tcp\n", ""},
		{"one report between log lines", "1:M * Ready\n" + report + "\n1:M * next line\n", report + "\n"},
		{"two reports", report + "\nlog\n" + report2 + "\n", report + "\n" + report2 + "\n"},
		{"cut short", "log\n==================\nWARNING: DATA RACE\nWrite at", "==================\nWARNING: DATA RACE\nWrite at\n"},
		{"no fence above", "WARNING: DATA RACE\nx\n==================\n", "WARNING: DATA RACE\nx\n==================\n"},
		{"fence far above is not the report's", "==================\n\nlog\nWARNING: DATA RACE\n==================", "WARNING: DATA RACE\n==================\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, RaceReports(tc.logs))
		})
	}
}

func TestProcessRaceReports(t *testing.T) {
	p := &Process{logs: &logBuffer{ready: make(chan struct{})}}
	require.Empty(t, p.RaceReports())
	_, err := p.logs.Write([]byte("1:M * Ready\n==================\nWARNING: DATA RACE\nstack\n==================\n"))
	require.NoError(t, err)
	require.Equal(t, "==================\nWARNING: DATA RACE\nstack\n==================\n", p.RaceReports())
}
