package rdb

import "unsafe"

// unsafeBytes views s as a read-only byte slice.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
