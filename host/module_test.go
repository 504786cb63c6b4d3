package host

import (
	"regexp"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/modhost/modhost/host/internal/cgotest"
	"github.com/modhost/modhost/internal/buildinfo"
	"github.com/modhost/modhost/server"
)

func mustLookup(t *testing.T, name string) unsafe.Pointer {
	t.Helper()
	p, err := LookupAPI(name)
	require.NoError(t, err, name)
	require.NotNil(t, p, name)
	return p
}

func TestGetApiResolution(t *testing.T) {
	const sentinel = uintptr(0x5eed)
	alloc := uintptr(mustLookup(t, "RedisModule_Alloc"))
	tests := []struct {
		name   string
		wantOK bool
		want   uintptr // expected slot content
	}{
		{"RedisModule_Alloc", true, alloc},
		{"ValkeyModule_Alloc", true, alloc},
		{"RedisModule_NoSuchFunction", false, sentinel},
		{"Alloc", false, sentinel}, // prefix is required
		{"RedisModule_", false, sentinel},
		{"RedisModule_alloc", false, sentinel}, // names are case sensitive
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc, slot := cgotest.GetAPIRaw(tc.name, sentinel)
			if tc.wantOK {
				require.Equal(t, 0, rc) // REDISMODULE_OK
			} else {
				require.Equal(t, 1, rc) // REDISMODULE_ERR
			}
			require.Equal(t, tc.want, slot)
		})
	}
	TakeMissingAPIs()
}

func TestEveryTableEntryResolves(t *testing.T) {
	names := []string{
		"Alloc", "Calloc", "Realloc", "Free", "Strdup", "TryAlloc", "TryCalloc",
		"TryRealloc", "MallocSize", "MallocUsableSize", "Milliseconds",
		"Microseconds", "MonotonicMicroseconds", "GetRandomBytes",
		"GetRandomHexChars", "GetServerVersion", "GetApi",
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			r := mustLookup(t, "RedisModule_"+n)
			v := mustLookup(t, "ValkeyModule_"+n)
			require.Equal(t, r, v)
		})
	}
}

func TestMissingAPIsAreRecordedOnce(t *testing.T) {
	TakeMissingAPIs() // start clean
	for _, n := range []string{"RedisModule_Foo", "RedisModule_Bar", "RedisModule_Foo", "ValkeyModule_Baz"} {
		_, err := LookupAPI(n)
		require.ErrorIs(t, err, ErrUnknownAPI)
	}
	_, err := LookupAPI("RedisModule_Alloc")
	require.NoError(t, err)
	require.Equal(t, []string{"RedisModule_Foo", "RedisModule_Bar", "ValkeyModule_Baz"}, TakeMissingAPIs())
	require.Empty(t, TakeMissingAPIs())
}

func TestAPIRequestsInOrderOnce(t *testing.T) {
	TakeAPIRequests() // start clean
	for _, n := range []string{"RedisModule_Alloc", "RedisModule_Nope", "ValkeyModule_Alloc", "RedisModule_Alloc", "Free", "RedisModule_Nope"} {
		_, _ = LookupAPI(n)
	}
	require.Equal(t, []APIRequest{
		{Name: "RedisModule_Alloc", Bare: "Alloc", Found: true},
		{Name: "RedisModule_Nope", Bare: "Nope"},
		{Name: "ValkeyModule_Alloc", Bare: "Alloc", Found: true},
		{Name: "Free"},
	}, TakeAPIRequests())
	require.Empty(t, TakeAPIRequests())
	_, _ = LookupAPI("RedisModule_Alloc") // asked again after a take: recorded again
	require.Equal(t, []APIRequest{{Name: "RedisModule_Alloc", Bare: "Alloc", Found: true}}, TakeAPIRequests())
}

func TestGoTrampolineGetServerVersion(t *testing.T) {
	fn := mustLookup(t, "RedisModule_GetServerVersion")
	want, err := buildinfo.VersionNum(server.RedisVersion)
	require.NoError(t, err)
	require.Equal(t, want, cgotest.CallIntVoid(fn))
}

func TestHeapFunctionsFromC(t *testing.T) {
	alloc := mustLookup(t, "RedisModule_Alloc")
	usable := mustLookup(t, "RedisModule_MallocUsableSize")
	free := mustLookup(t, "RedisModule_Free")
	for _, pair := range []struct{ a, r string }{
		{"RedisModule_Alloc", "RedisModule_Realloc"},
		{"RedisModule_TryAlloc", "RedisModule_TryRealloc"},
	} {
		for _, n := range []int{1, 7, 4096, 1 << 20} {
			require.True(t, cgotest.AllocCycle(mustLookup(t, pair.a), mustLookup(t, pair.r), usable, free, n), "%s n=%d", pair.a, n)
		}
	}
	require.True(t, cgotest.AllocCycle(alloc, mustLookup(t, "RedisModule_Realloc"), mustLookup(t, "RedisModule_MallocSize"), free, 100))
}

func TestClocksFromC(t *testing.T) {
	ms := cgotest.CallLongLongVoid(mustLookup(t, "RedisModule_Milliseconds"))
	us := cgotest.CallLongLongVoid(mustLookup(t, "RedisModule_Microseconds"))
	require.Greater(t, ms, int64(1_600_000_000_000)) // after 2020, in ms
	require.GreaterOrEqual(t, us/1000, ms)           // read later, same clock
	mono := mustLookup(t, "RedisModule_MonotonicMicroseconds")
	a := uint64(cgotest.CallLongLongVoid(mono))
	b := uint64(cgotest.CallLongLongVoid(mono))
	require.GreaterOrEqual(t, b, a)
}

func TestRandomFromC(t *testing.T) {
	hex := mustLookup(t, "RedisModule_GetRandomHexChars")
	h1, h2 := cgotest.CallFill(hex, 40), cgotest.CallFill(hex, 40)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{40}$`), string(h1))
	require.NotEqual(t, h1, h2)
	raw := mustLookup(t, "RedisModule_GetRandomBytes")
	b1, b2 := cgotest.CallFill(raw, 32), cgotest.CallFill(raw, 32)
	require.Len(t, b1, 32)
	require.NotEqual(t, b1, b2)
}
