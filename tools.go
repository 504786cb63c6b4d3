//go:build tools

// Package tools pins test and client dependencies that are only imported by
// tests, so that `go mod tidy` keeps them in go.mod.
package tools

import (
	_ "github.com/google/btree"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/stretchr/testify/require"
	_ "github.com/tidwall/resp"
)
