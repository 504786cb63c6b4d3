package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseLevel(t *testing.T) {
	cases := []struct {
		in   string
		want Level
		ok   bool
	}{
		{"debug", Debug, true},
		{"VERBOSE", Verbose, true},
		{"notice", Notice, true},
		{"warning", Warning, true},
		{"nothing", Nothing, true},
		{"info", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseLevel(c.in)
		require.Equal(t, c.ok, ok, c.in)
		require.Equal(t, c.want, got, c.in)
		if ok {
			require.Equal(t, strings.ToLower(c.in), got.String())
		}
	}
}

var lineRE = regexp.MustCompile(`^(\d+):([MSCX]) (\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) ([.\-*#]) (.*)$`)

func TestFormatAndLevels(t *testing.T) {
	var buf bytes.Buffer
	l := NewWriter(&buf, Verbose)
	l.SetClock(func() time.Time { return time.Date(2024, 3, 7, 9, 5, 1, 42_000_000, time.Local) })
	l.Debugf("hidden %d", 1)
	l.Verbosef("v %d", 2)
	l.Noticef("Server initialized")
	l.Warningf("w")
	l.SetRole('C')
	l.Logf(Notice, "child")
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	wantMarks := []string{"-", "*", "#", "*"}
	wantMsgs := []string{"v 2", "Server initialized", "w", "child"}
	for i, line := range lines {
		m := lineRE.FindStringSubmatch(line)
		require.NotNil(t, m, line)
		require.Equal(t, wantMarks[i], m[4])
		require.Equal(t, wantMsgs[i], m[5])
		require.Equal(t, "07 Mar 2024 09:05:01.042", m[3])
	}
	require.Equal(t, "M", lineRE.FindStringSubmatch(lines[0])[2])
	require.Equal(t, "C", lineRE.FindStringSubmatch(lines[3])[2])
}

func TestNothingAndRaw(t *testing.T) {
	var buf bytes.Buffer
	l := NewWriter(&buf, Nothing)
	l.Warningf("x")
	l.Raw(Warning, "y")
	require.Empty(t, buf.String())
	l.SetLevel(Notice)
	require.Equal(t, Notice, l.Level())
	l.Raw(Notice, "raw text")
	l.Raw(Verbose, "dropped")
	require.Equal(t, "raw text", buf.String())
	require.False(t, l.Enabled(Verbose))
	require.True(t, l.Enabled(Warning))
}

func TestFileOutputConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "redis.log")
	l, err := New(path, Debug)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				l.Noticef("msg %d", i)
			}
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	require.Len(t, lines, 400)
	for _, line := range lines {
		require.Regexp(t, lineRE, line)
	}
}

func TestSetFileErrors(t *testing.T) {
	_, err := New(filepath.Join(t.TempDir(), "missing", "x.log"), Notice)
	require.Error(t, err)
	var buf bytes.Buffer
	l := NewWriter(&buf, Notice)
	require.Error(t, l.SetFile("/nonexistent-dir/x.log"))
	l.Noticef("still here")
	require.Contains(t, buf.String(), "still here")
}

func TestTruncation(t *testing.T) {
	var buf bytes.Buffer
	l := NewWriter(&buf, Notice)
	l.Noticef("%s", strings.Repeat("a", 5000))
	m := lineRE.FindStringSubmatch(strings.TrimSuffix(buf.String(), "\n"))
	require.NotNil(t, m)
	require.Len(t, m[5], maxMessage)
}
