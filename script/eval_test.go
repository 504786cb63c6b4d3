package script

import (
	"reflect"
	"testing"
)

func TestParseShebang(t *testing.T) {
	tests := []struct {
		body  string
		flags scriptFlags
		skip  int
		err   string
	}{
		{"return 1", flagCompat, 0, ""},
		{"#!lua\nreturn 1", 0, 5, ""},
		{"#!lua flags=no-writes,allow-oom\nreturn 1", flagNoWrites | flagAllowOOM, 31, ""},
		{"#!lua flags=\nreturn 1", 0, 0, "Unexpected flag in script shebang: "},
		{"#!lua flags=bogus\nreturn 1", 0, 0, "Unexpected flag in script shebang: bogus"},
		{"#!lua name=x\nreturn 1", 0, 0, "Unknown lua shebang option: name=x"},
		{"#!luax\nreturn 1", 0, 0, "Unexpected engine in script shebang: #!luax"},
		{"#!lua", 0, 0, "Invalid script shebang"},
	}
	for _, tc := range tests {
		flags, skip, err := parseShebang([]byte(tc.body))
		if err != tc.err || (err == "" && (flags != tc.flags || skip != tc.skip)) {
			t.Errorf("%q: got %v %d %q, want %v %d %q", tc.body, flags, skip, err, tc.flags, tc.skip, tc.err)
		}
	}
}

func TestEvalKeysAndVersion(t *testing.T) {
	args := func(s ...string) [][]byte {
		out := make([][]byte, len(s))
		for i, a := range s {
			out[i] = []byte(a)
		}
		return out
	}
	if got := evalKeys(args("eval", "s", "2", "a", "b", "c")); !reflect.DeepEqual(got, []int{3, 4}) {
		t.Errorf("evalKeys = %v", got)
	}
	if got := evalKeys(args("eval", "s", "3", "a")); len(got) != 0 {
		t.Errorf("evalKeys with too many keys = %v", got)
	}
	if got := versionNum("7.4.0"); got != 0x070400 {
		t.Errorf("versionNum = %#x", got)
	}
}
