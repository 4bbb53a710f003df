package redisserver

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill redis-server if this process dies
// without closing it (a panic, SIGKILL), so no orphan keeps its port.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
