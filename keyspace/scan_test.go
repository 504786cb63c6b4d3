package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScanGuaranteeUnderChurn checks that keys present for a whole scan are
// returned at least once while other keys are added and removed between
// calls, forcing the table to grow and shrink.
func TestScanGuaranteeUnderChurn(t *testing.T) {
	tests := []struct {
		name           string
		stable, churn  int
		addPer, delPer int
		resizes        bool
	}{
		{"grow", 200, 0, 50, 0, true},
		{"shrink", 50, 5000, 0, 200, true},
		{"mixed", 300, 1000, 40, 40, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks, _, _ := newTestKS(1)
			rng := rand.New(rand.NewPCG(1, 2))
			stable := map[string]bool{}
			for i := 0; i < tc.stable; i++ {
				k := fmt.Sprintf("s%d", i)
				stable[k] = false
				ks.SetKey(0, b(k), NewString(b("v")), false)
			}
			var churn []string
			next := 0
			for i := 0; i < tc.churn; i++ {
				k := fmt.Sprintf("c%d", next)
				next++
				churn = append(churn, k)
				ks.SetKey(0, b(k), NewString(b("v")), false)
			}
			startBuckets := len(ks.dbs[0].d.buckets)
			cur, calls := uint64(0), 0
			var out []string
			for {
				cur, out = ks.Scan(0, cur, 5, nil, out[:0])
				calls++
				for _, k := range out {
					if _, ok := stable[k]; ok {
						stable[k] = true
					}
				}
				if cur == 0 {
					break
				}
				for j := 0; j < tc.addPer && calls < 200; j++ {
					k := fmt.Sprintf("c%d", next)
					next++
					churn = append(churn, k)
					ks.SetKey(0, b(k), NewString(b("v")), false)
				}
				for j := 0; j < tc.delPer && len(churn) > 0; j++ {
					x := rng.IntN(len(churn))
					require.True(t, ks.Delete(0, b(churn[x])))
					churn[x] = churn[len(churn)-1]
					churn = churn[:len(churn)-1]
				}
				require.Less(t, calls, 100000)
			}
			for k, seen := range stable {
				require.True(t, seen, "key %s never returned", k)
			}
			if tc.resizes {
				require.NotEqual(t, startBuckets, len(ks.dbs[0].d.buckets), "table should have resized")
			}
		})
	}
}

func TestScanMatchAndExpired(t *testing.T) {
	ks, c, r := newTestKS(1)
	for i := 0; i < 100; i++ {
		ks.SetKey(0, b(fmt.Sprintf("a%d", i)), NewString(b("v")), false)
		ks.SetKey(0, b(fmt.Sprintf("b%d", i)), NewString(b("v")), false)
	}
	ks.SetExpire(0, b("a7"), c.ms-1)
	r.take()
	var all []string
	cur := uint64(0)
	for {
		cur, all = ks.Scan(0, cur, 10, &ScanOptions{Match: b("a*")}, all)
		if cur == 0 {
			break
		}
	}
	require.Len(t, all, 99)
	require.NotContains(t, all, "a7")
	require.Equal(t, 199, ks.Size(0), "expired key met by SCAN is deleted")
	require.Equal(t, int64(1), ks.Stats.ExpiredKeys)
}

func TestDictRandomAndEach(t *testing.T) {
	var d dict[int]
	rng := rand.New(rand.NewPCG(3, 4))
	require.Equal(t, int32(-1), d.random(rng))
	for i := 0; i < 100; i++ {
		d.insert(fmt.Sprint(i), i)
	}
	sum := 0
	d.each(func(e *dent[int]) bool { sum += e.val; return true })
	require.Equal(t, 4950, sum)
	for i := 0; i < 95; i++ {
		_, ok := d.remove(fmt.Sprint(i))
		require.True(t, ok)
	}
	require.Equal(t, 16, len(d.buckets), "shrunk")
	require.Equal(t, 15, d.slots(), "compacted at the shrink (n=15)")
	for i := 95; i < 100; i++ {
		require.GreaterOrEqual(t, d.find(fmt.Sprint(i)), int32(0))
	}
	_, ok := d.remove("nope")
	require.False(t, ok)
}
