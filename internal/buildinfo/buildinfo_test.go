package buildinfo

import (
	"strconv"
	"strings"
	"testing"
)

func TestVersionNum(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"7.4.0", 0x00070400, true},
		{"7.2.6", 0x00070206, true},
		{"255.0.1", 0x00ff0001, true},
		{"7.4", 0, false},
		{"7.4.x", 0, false},
		{"7.256.0", 0, false},
	} {
		got, err := VersionNum(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("VersionNum(%q) = %#x, %v; want %#x ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestShortSHA(t *testing.T) {
	for in, want := range map[string]string{
		"96987ec1234567890abcdef":  "96987ec1",
		"96987EC1":                 "96987ec1",
		"":                         "00000000",
		"abc":                      "00000000",
		"zzzzzzzzzzzz":             "00000000",
		" 0123456789abcdef0123\n ": "01234567",
	} {
		if got := shortSHA(in); got != want {
			t.Errorf("shortSHA(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVersionLineParsesLikeRLTest reads the version the way RLTest does:
// the text between "v=" and " sha=", each dot part through int().
func TestVersionLineParsesLikeRLTest(t *testing.T) {
	line := VersionLine()
	if !strings.HasPrefix(line, "Redis server v=") {
		t.Fatalf("line %q does not start like redis-server's", line)
	}
	after := strings.SplitN(line, "v=", 2)[1]
	ver := strings.SplitN(after, " sha=", 2)[0]
	var nums []int
	for _, p := range strings.Split(ver, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			t.Fatalf("version part %q of %q is not an int", p, line)
		}
		nums = append(nums, n)
	}
	if len(nums) != 3 || nums[0]<<16|nums[1]<<8|nums[2] != RedisVersionNum() {
		t.Fatalf("parsed %v from %q, want %s", nums, line, RedisVersion)
	}
	if id := BuildID(); id != BuildID() || id == "" {
		t.Fatal("build id is not stable")
	}
	for _, want := range []string{" sha=" + GitSHA1() + ":" + GitDirty() + " ", " malloc=libc ", " bits=64 ", " build=" + BuildID() + " ", " modhost=" + ModhostVersion} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
}
