package config

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// docSection returns the text of the docs/CONFIG.md section under the
// given "## " heading, up to the next heading.
func docSection(t *testing.T, heading string) string {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "CONFIG.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "\n## "+heading+"\n")
	require.True(t, ok, "docs/CONFIG.md has no section %q", heading)
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// sortedKeys lists a class's directive names in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDocsUnimplementedList checks that docs/CONFIG.md's list of
// directives not implemented yet names exactly the unimplemented class,
// so the page cannot drift from the code.
func TestDocsUnimplementedList(t *testing.T) {
	sec := docSection(t, "Directives not implemented yet (only the default is accepted)")
	var listed []string
	for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllStringSubmatch(sec, -1) {
		listed = append(listed, m[1])
	}
	sort.Strings(listed)
	require.Equal(t, sortedKeys(unimplemented), listed)
}

// TestDocsNoMeaningTable checks that the table of directives without
// meaning names exactly the noMeaning class, each with the reason the
// code gives.
func TestDocsNoMeaningTable(t *testing.T) {
	sec := docSection(t, "Directives without meaning in modhost")
	rows := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (.*) \\|$").FindAllStringSubmatch(sec, -1) {
		rows[m[1]] = m[2]
	}
	require.Equal(t, sortedKeys(noMeaning), sortedKeys(rows))
	for name, why := range noMeaning {
		require.Equal(t, why, rows[name], name)
	}
}
