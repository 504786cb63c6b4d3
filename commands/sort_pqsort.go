package commands

// SORT ... BY pattern LIMIT sorts with Redis's partial quicksort (pqsort.c,
// Bentley and McIlroy's "Engineering a Sort Function" that skips the parts
// outside the requested range). It is not stable, so elements whose
// weights compare equal come out in the order this exact sequence of
// comparisons and swaps leaves them in; modhost follows the same steps so
// that those ties match redis-server. A full sort (no LIMIT) is glibc's
// qsort, a stable merge sort, which slices.SortStableFunc reproduces.

// pqsort orders vec so that positions lo..hi hold what a full sort would
// put there (the rest is partly sorted).
func pqsort(vec []sortItem, cmp func(a, b sortItem) int, lo, hi int) {
	pqsortPart(vec, 0, len(vec), cmp, lo, hi)
}

// pqsortPart sorts the n elements from a, recursing only into parts that
// overlap lo..hi.
func pqsortPart(v []sortItem, a, n int, cmp func(a, b sortItem) int, lo, hi int) {
	swap := func(i, j int) { v[i], v[j] = v[j], v[i] }
	vecswap := func(i, j, k int) {
		for ; k > 0; k-- {
			swap(i, j)
			i++
			j++
		}
	}
	// outside reports a part from s of length k that misses lo..hi.
	outside := func(s, k int) bool {
		return lo < s && hi < s || lo >= s+k && hi >= s+k
	}
	for {
		if n < 7 {
			for m := a + 1; m < a+n; m++ {
				for l := m; l > a && cmp(v[l-1], v[l]) > 0; l-- {
					swap(l, l-1)
				}
			}
			return
		}
		m := a + n/2
		if n > 7 {
			l, r := a, a+n-1
			if n > 40 {
				d := n / 8
				l = med3(v, l, l+d, l+2*d, cmp)
				m = med3(v, m-d, m, m+d, cmp)
				r = med3(v, r-2*d, r-d, r, cmp)
			}
			m = med3(v, l, m, r, cmp)
		}
		swap(a, m)
		pa, pb := a+1, a+1
		pc, pd := a+n-1, a+n-1
		for {
			for pb <= pc {
				c := cmp(v[pb], v[a])
				if c > 0 {
					break
				}
				if c == 0 {
					swap(pa, pb)
					pa++
				}
				pb++
			}
			for pb <= pc {
				c := cmp(v[pc], v[a])
				if c < 0 {
					break
				}
				if c == 0 {
					swap(pc, pd)
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			swap(pb, pc)
			pb++
			pc--
		}
		pn := a + n
		k := min(pa-a, pb-pa)
		vecswap(a, pb-k, k)
		k = min(pd-pc, pn-pd-1)
		vecswap(pb, pn-k, k)
		if k = pb - pa; k > 1 && !outside(a, k) {
			pqsortPart(v, a, k, cmp, lo, hi)
		}
		if k = pd - pc; k > 1 {
			a, n = pn-k, k
			if !outside(a, n) {
				continue
			}
		}
		return
	}
}

// med3 returns the index of the median of v[a], v[b] and v[c], choosing
// among equals as pqsort.c does.
func med3(v []sortItem, a, b, c int, cmp func(a, b sortItem) int) int {
	if cmp(v[a], v[b]) < 0 {
		if cmp(v[b], v[c]) < 0 {
			return b
		}
		if cmp(v[a], v[c]) < 0 {
			return c
		}
		return a
	}
	if cmp(v[b], v[c]) > 0 {
		return b
	}
	if cmp(v[a], v[c]) < 0 {
		return a
	}
	return c
}
