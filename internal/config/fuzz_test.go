package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzLoadString feeds configuration text to LoadString: it must never
// panic, and a text it accepts must give a configuration CONFIG GET and
// REWRITE can render. Texts that would touch the file system (dir,
// logfile, include) are skipped.
func FuzzLoadString(f *testing.F) {
	if b, err := os.ReadFile("testdata/seed.conf"); err == nil {
		f.Add(string(b))
		for _, line := range strings.Split(string(b), "\n") {
			f.Add(line)
		}
	}
	for _, l := range defaultConfLines {
		f.Add(l)
	}
	f.Add("save \"\"\nsave 1 1")
	f.Add("client-output-buffer-limit normal 0 0 0 replica 1gb 1mb 60")
	f.Fuzz(func(t *testing.T, text string) {
		low := strings.ToLower(text)
		if strings.Contains(low, "dir") || strings.Contains(low, "logfile") || strings.Contains(low, "include") {
			return
		}
		c := New()
		if err := c.LoadString(text, "fuzz.conf"); err != nil {
			return
		}
		_ = c.Get("*")
		_ = c.RewriteContent(text)
	})
}
