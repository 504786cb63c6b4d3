package commands

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIncrLongDouble(t *testing.T) {
	tests := []struct {
		cur, incr string
		missing   bool
		want, err string
	}{
		{cur: "0.1", incr: "0.2", want: "0.3"},
		{missing: true, incr: "3", want: "3"},
		{cur: "10.5", incr: "0.1", want: "10.6"},
		{cur: "5", incr: "-5", want: "0"},
		{cur: "-0", incr: "0", want: "0"},
		{cur: "1", incr: "1e-10", want: "1.0000000001"},
		{cur: "3.0", incr: "1.5", want: "4.5"},
		{cur: "1e3", incr: "1", want: "1001"},
		{cur: "17", incr: "1.23456789012345678", want: "18.23456789012345678"},
		{cur: "10000000000000000000", incr: "1", want: "10000000000000000001"},
		{cur: "1", incr: "0x10", want: "17"},
		{cur: "1", incr: "0x1p-1", want: "1.5"},
		{cur: "1", incr: ".5", want: "1.5"},
		{cur: "1", incr: "5.", want: "6"},
		{cur: "abc", incr: "1", err: msgNotFloat},
		{cur: "1", incr: "", err: msgNotFloat},
		{cur: "1", incr: " 1", err: msgNotFloat},
		{cur: "1", incr: "1 ", err: msgNotFloat},
		{cur: "1", incr: "nan", err: msgNotFloat},
		{cur: "1", incr: "1.5e", err: msgNotFloat},
		{cur: "1", incr: "1_000", err: msgNotFloat},
		{cur: "1", incr: "1e5000", err: msgNotFloat},
		{cur: "1", incr: "1e-5000", err: msgNotFloat},
		{cur: "1", incr: "0e-5000", want: "1"},
		{cur: "1", incr: "inf", err: msgNaN},
		{cur: "1", incr: "-Infinity", err: msgNaN},
		{cur: "1.1e4932", incr: "1e4932", err: msgNaN},
	}
	for _, tc := range tests {
		t.Run(tc.cur+"+"+tc.incr, func(t *testing.T) {
			var cur []byte
			if !tc.missing {
				cur = []byte(tc.cur)
			}
			got, msg := incrLongDouble(cur, []byte(tc.incr))
			require.Equal(t, tc.err, msg)
			require.Equal(t, tc.want, string(got))
		})
	}
}

func TestParseSetOptsConflicts(t *testing.T) {
	tests := []struct {
		args  []string
		isSet bool
		ok    bool
		flags int
	}{
		{[]string{"NX"}, true, true, setNX},
		{[]string{"nx", "xx"}, true, false, 0},
		{[]string{"EX", "1", "PX", "1"}, true, false, 0},
		{[]string{"KEEPTTL", "EX", "1"}, true, false, 0},
		{[]string{"GET", "get"}, true, true, setGet},
		{[]string{"PERSIST"}, true, false, 0},
		{[]string{"PERSIST"}, false, true, setPersist},
		{[]string{"NX"}, false, false, 0},
		{[]string{"EX"}, false, false, 0},
		{[]string{"pxat", "5"}, false, true, setPXAT},
	}
	for _, tc := range tests {
		args := [][]byte{[]byte("set"), []byte("k"), []byte("v")}
		for _, a := range tc.args {
			args = append(args, []byte(a))
		}
		from := 3
		if !tc.isSet {
			from = 2
			args = append(args[:2:2], args[3:]...)
		}
		o, ok := parseSetOptsNoReply(args, from, tc.isSet)
		require.Equal(t, tc.ok, ok, "%v", tc.args)
		if ok {
			require.Equal(t, tc.flags, o.flags, "%v", tc.args)
		}
	}
}
