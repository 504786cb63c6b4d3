package commands

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestPqsortRangeMatchesFullSort checks that pqsort leaves in lo..hi the
// weights a full sort puts there, for vectors with many equal weights,
// small (insertion sort) and large (median of medians) sizes, and ranges
// anywhere, including empty ones; and that it keeps every element.
func TestPqsortRangeMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cmp := func(a, b sortItem) int { return int(a.score) - int(b.score) }
	checked := 0
	for range 3000 {
		n := 1 + rng.IntN(120)
		vec := make([]sortItem, n)
		for i := range vec {
			vec[i] = sortItem{obj: []byte(strconv.Itoa(i)), score: float64(rng.IntN(1 + n/4))}
		}
		want := slices.Clone(vec)
		slices.SortStableFunc(want, cmp)
		lo := rng.IntN(n)
		hi := lo + rng.IntN(n-lo+1) - 1 // hi == lo-1: LIMIT x 0
		got := slices.Clone(vec)
		pqsort(got, cmp, lo, hi)
		for i := lo; i <= hi; i++ {
			if got[i].score != want[i].score {
				t.Fatalf("n=%d range %d..%d: position %d has weight %v, want %v", n, lo, hi, i, got[i].score, want[i].score)
			}
		}
		seen := map[string]bool{}
		for _, it := range got {
			seen[string(it.obj)] = true
		}
		if len(seen) != n {
			t.Fatalf("n=%d: pqsort lost elements", n)
		}
		checked++
	}
	if checked != 3000 {
		t.Fatal("no cases")
	}
}
