package hosttest

// Wait waits for the process to exit and returns what exec.Cmd.Wait
// returned (an *exec.ExitError carries the exit status or signal).
func (p *Process) Wait() error {
	<-p.done
	return p.err
}
