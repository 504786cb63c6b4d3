package keyspace

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStringEncoding(t *testing.T) {
	tests := []struct {
		val  string
		want string
	}{
		{"0", "int"},
		{"-123", "int"},
		{"9223372036854775807", "int"},
		{"9223372036854775808", "embstr"},
		{"01", "embstr"},
		{"+1", "embstr"},
		{"", "embstr"},
		{strings.Repeat("x", 44), "embstr"},
		{strings.Repeat("x", 45), "raw"},
	}
	for _, tc := range tests {
		t.Run(tc.val, func(t *testing.T) {
			require.Equal(t, tc.want, NewString(b(tc.val)).Encoding())
		})
	}
}

func TestStringMutations(t *testing.T) {
	buf := b("12")
	s := NewString(buf)
	buf[0] = 'X'
	require.Equal(t, "12", string(s.Bytes()), "NewString copies")
	require.Equal(t, "int", s.Encoding())

	require.Equal(t, 3, s.Append(b("3")))
	require.Equal(t, "raw", s.Encoding(), "APPEND makes raw even for an int")
	n, ok := s.Int()
	require.True(t, ok)
	require.Equal(t, int64(123), n)
	s.SetInt(n + 1)
	require.Equal(t, "124", string(s.Bytes()))
	require.Equal(t, "int", s.Encoding())

	s = NewString(b("hello"))
	require.Equal(t, 5, s.SetRange(0, nil))
	require.Equal(t, "embstr", s.Encoding())
	require.Equal(t, 9, s.SetRange(7, b("xy")))
	require.Equal(t, "hello\x00\x00xy", string(s.Bytes()))
	require.Equal(t, "raw", s.Encoding())

	s = NewStringInt(-5)
	require.Equal(t, "-5", string(s.Bytes()))
	c := s.Clone().(*String)
	c.Append(b("0"))
	require.Equal(t, "-5", string(s.Bytes()))
}

func TestStringGetRange(t *testing.T) {
	s := NewString(b("This is a string"))
	tests := []struct {
		start, end int64
		want       string
	}{
		{0, 3, "This"},
		{-3, -1, "ing"},
		{0, -1, "This is a string"},
		{10, 100, "string"},
		{5, 3, ""},
		{-1, -5, ""},
		{-100, 2, "Thi"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(s.GetRange(tc.start, tc.end)), "%d %d", tc.start, tc.end)
	}
	require.Empty(t, NewString(nil).GetRange(0, -1))
}
