package main

// The human-readable report of modhost check.

import (
	"fmt"
	"io"
	"strings"

	"github.com/modhost/modhost/abi"
	"github.com/modhost/modhost/host"
)

// writeCheckText writes res as text: what loaded, the log, the
// registrations, the API functions asked for, and a verdict.
func writeCheckText(w io.Writer, res *checkResult) {
	if res.Loaded {
		fmt.Fprintf(w, "Module %s: loaded as %q, version %d, API version %d\n",
			res.Path, res.Name, res.Version, res.APIVersion)
	} else {
		fmt.Fprintf(w, "Module %s: OnLoad FAILED, not loaded\n", res.Path)
	}
	if len(res.Args) > 0 {
		fmt.Fprintf(w, "Arguments: %s\n", strings.Join(res.Args, " "))
	}
	fmt.Fprintf(w, "\nLog during OnLoad (%d):\n", len(res.Log))
	for _, l := range res.Log {
		fmt.Fprintf(w, "  %-8s %s\n", l.Level, l.Message)
	}
	if res.ModuleReport != nil {
		writeRegistrations(w, res.ModuleReport)
	}
	writeAPIs(w, res)
	if res.OK {
		fmt.Fprintf(w, "\nResult: OK\n")
		return
	}
	fmt.Fprintf(w, "\nResult: %d problem(s)\n", len(res.Problems))
	for _, p := range res.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
}

// writeRegistrations writes commands, types, configs, events and options.
func writeRegistrations(w io.Writer, r *host.ModuleReport) {
	fmt.Fprintf(w, "\nCommands (%d):\n", len(r.Commands))
	for _, c := range r.Commands {
		writeCommand(w, c, "  ")
	}
	fmt.Fprintf(w, "\nData types (%d):\n", len(r.Types))
	for _, t := range r.Types {
		fmt.Fprintf(w, "  %s  encver %d  methods v%d  callbacks: %s\n",
			t.Name, t.EncodingVersion, t.MethodsVersion, wordsOrNone(t.Callbacks))
		if t.AuxSaveTriggers != 0 {
			fmt.Fprintf(w, "    aux_save_triggers %d\n", t.AuxSaveTriggers)
		}
	}
	fmt.Fprintf(w, "\nConfigurations (%d):\n", len(r.Configs))
	for _, c := range r.Configs {
		fmt.Fprintf(w, "  %s  %s  flags: %s  value: %q\n", c.Name, c.Kind, wordsOrNone(c.Flags), c.Value)
	}
	fmt.Fprintf(w, "\nServer events (%d):\n", len(r.Events))
	for _, e := range r.Events {
		fired := "fired by modhost"
		if !e.Fired {
			fired = "never fired by modhost"
		}
		fmt.Fprintf(w, "  %s (%d)  %s\n", e.Name, e.ID, fired)
	}
	fmt.Fprintf(w, "\nModule options: %s\n", wordsOrNone(r.Options))
}

// writeCommand writes one command and, indented, its key specs and
// subcommands.
func writeCommand(w io.Writer, c host.CommandReport, indent string) {
	flags := wordsOrNone(c.Flags)
	if len(c.ModuleFlags) > 0 {
		flags += " +" + strings.Join(c.ModuleFlags, " +")
	}
	fmt.Fprintf(w, "%s%s  arity %d  flags: %s  keys: first %d last %d step %d  acl: %s\n",
		indent, c.Name, c.Arity, flags, c.FirstKey, c.LastKey, c.KeyStep, wordsOrNone(c.ACL))
	for i, ks := range c.KeySpecs {
		fmt.Fprintf(w, "%s    key spec %d: %s; begin %s; find %s", indent, i, wordsOrNone(ks.Flags), ks.BeginSearch, ks.FindKeys)
		if ks.Notes != "" {
			fmt.Fprintf(w, "; notes %q", ks.Notes)
		}
		fmt.Fprintln(w)
	}
	if !c.InfoSet {
		fmt.Fprintf(w, "%s    no SetCommandInfo\n", indent)
	}
	for _, sub := range c.Subcommands {
		writeCommand(w, sub, indent+"  ")
	}
}

// writeAPIs writes the API functions asked for: missing first, then
// partial with the reason, then implemented.
func writeAPIs(w io.Writer, res *checkResult) {
	fmt.Fprintf(w, "\nAPI functions asked for (%d): implemented %d, partial %d, missing %d\n",
		len(res.APIs), res.APICounts[string(abi.Implemented)], res.APICounts[string(abi.Partial)], res.APICounts[string(abi.Missing)])
	for _, st := range []abi.Status{abi.Missing, abi.Partial, abi.Implemented} {
		for _, a := range res.APIs {
			if a.Status != string(st) {
				continue
			}
			if a.Note != "" {
				fmt.Fprintf(w, "  %-11s  %s: %s\n", a.Status, a.Name, a.Note)
			} else {
				fmt.Fprintf(w, "  %-11s  %s\n", a.Status, a.Name)
			}
		}
	}
}

// wordsOrNone joins words with spaces, or says "none".
func wordsOrNone(words []string) string {
	if len(words) == 0 {
		return "none"
	}
	return strings.Join(words, " ")
}
