package abi

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFunctionsTable(t *testing.T) {
	require.Greater(t, len(Functions), 350)
	seen := map[string]bool{}
	for _, f := range Functions {
		require.False(t, seen[f.Name], "duplicate %s", f.Name)
		seen[f.Name] = true
		require.NotEmpty(t, f.Family, f.Name)
		require.Contains(t, []Status{Implemented, Partial, Missing}, f.Status, f.Name)
		// A partial function says why; no other function carries a note.
		require.Equal(t, f.Status == Partial, f.Note != "", f.Name)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		want Function
		ok   bool
	}{
		{"Alloc", Function{Name: "Alloc", Return: "void *", Params: "size_t bytes", Family: "Heap allocation raw functions", Status: Implemented}, true},
		{"GetServerVersion", Function{Name: "GetServerVersion", Return: "int", Params: "void", Family: "Miscellaneous APIs", Status: Implemented}, true},
		{"NoSuch", Function{}, false},
	}
	for _, tc := range tests {
		got, ok := Lookup(tc.name)
		require.Equal(t, tc.ok, ok, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
	log, ok := Lookup("Log")
	require.True(t, ok)
	require.True(t, log.Variadic)
}
