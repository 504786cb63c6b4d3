package host

import "fmt"

// misuse logs one API-misuse diagnostic at warning level, in the form
// "module <name>: <command or "thread">: RedisModule_<Fn>: <what>".
// fn is the API name without its prefix.
func misuse(module, command, fn, what string) {
	srv := defaultServer.Load()
	if srv == nil {
		return
	}
	srv.Log.Warningf("%s", misuseText(module, command, fn, what))
}

// misuseText is the line misuse logs.
func misuseText(module, command, fn, what string) string {
	return fmt.Sprintf("module %s: %s: RedisModule_%s: %s", module, command, fn, what)
}
