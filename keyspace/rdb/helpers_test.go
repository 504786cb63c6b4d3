package rdb

import (
	"fmt"
	"os"
)

func sprint(v any) string { return fmt.Sprint(v) }

func readFixture(name string) ([]byte, error) { return os.ReadFile("../../testdata/rdb/" + name) }
