package commands

import "testing"

// TestTablesAgreeWithRedisDocs checks that the since and group a family
// table writes beside a command agree with Redis 7.2's docs, which replace
// them at start-up (ApplyRedisDocs): a table entry that disagrees is
// misleading to whoever reads the table.
func TestTablesAgreeWithRedisDocs(t *testing.T) {
	checked := 0
	var walk func(c *Command)
	walk = func(c *Command) {
		if d := redisDocs[c.FullName]; d != nil {
			checked++
			if c.Since != "" && c.Since != d.Since {
				t.Errorf("%s: table since %q, Redis 7.2 %q", c.FullName, c.Since, d.Since)
			}
			if c.Group != "" && c.Group != d.Group {
				t.Errorf("%s: table group %q, Redis 7.2 %q", c.FullName, c.Group, d.Group)
			}
		}
		for _, s := range c.Subs {
			walk(s)
		}
	}
	for _, table := range Tables() {
		for i := range table {
			walk(table[i].Command())
		}
	}
	if checked < 150 {
		t.Fatalf("only %d commands checked", checked)
	}
}

// TestApplyRedisDocs checks that a core command gets Redis 7.2's docs and
// a command Redis 7.2 does not have keeps its own.
func TestApplyRedisDocs(t *testing.T) {
	x := &Command{Name: "xadd", FullName: "xadd"}
	ApplyRedisDocs(x)
	if x.Group != "stream" || x.Since != "5.0.0" || x.Docs == nil || len(x.Docs.History) != 2 || len(x.Docs.Args) != 5 {
		t.Fatalf("xadd docs: %+v %+v", x, x.Docs)
	}
	if a := x.Docs.Args[0]; a.Type != "key" || a.KeySpecIndex != 0 {
		t.Fatalf("xadd key argument: %+v", a)
	}
	if a := x.Docs.Args[1]; a.KeySpecIndex != -1 || a.Token != "NOMKSTREAM" || a.Since != "6.2.0" {
		t.Fatalf("xadd nomkstream argument: %+v", a)
	}
	z := &Command{Name: "zadd", FullName: "zadd"}
	ApplyRedisDocs(z)
	if z.Group != "sorted-set" {
		t.Fatalf("zadd group %q, want sorted-set", z.Group)
	}
	own := &Command{Name: "modhost.only", FullName: "modhost.only", Summary: "mine", Group: "server"}
	ApplyRedisDocs(own)
	if own.Summary != "mine" || own.Docs != nil {
		t.Fatalf("a command Redis lacks lost its docs: %+v", own)
	}
}
