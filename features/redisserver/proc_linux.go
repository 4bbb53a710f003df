package redisserver

import (
	"os/exec"
	"syscall"
)

// DieWithParent makes the kernel kill the child (redis-server, a broker) if this process dies
// without closing it (a panic, SIGKILL), so no orphan keeps its port.
func DieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
