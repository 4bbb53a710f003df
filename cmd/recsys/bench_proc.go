package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/recsys/recsys/features/redisserver"
)

// brokerProcess is the embedded broker run by `recsys bench` as a child
// process of its own binary (`recsys broker`), so that the bench measures
// recsys's memory and CPU apart from the broker's: the embedded broker keeps
// every record in memory, which a real Kafka keeps on disk.
type brokerProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr bytes.Buffer
	done   chan struct{}
}

// brokerExecutable is the binary that serves `broker`; tests point it at
// a built recsys.
var brokerExecutable = os.Executable

func startBrokerProcess(ctx context.Context) (*brokerProcess, error) {
	exe, err := brokerExecutable()
	if err != nil {
		return nil, fmt.Errorf("finding the recsys binary for the broker: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("finding a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	b := &brokerProcess{addr: "127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
	b.cmd = exec.Command(exe, "broker", "--port", strconv.Itoa(port), "--data-dir", "")
	b.cmd.Stderr = &b.stderr
	redisserver.DieWithParent(b.cmd)
	if err := b.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the broker process: %w", err)
	}
	go func() { _ = b.cmd.Wait(); close(b.done) }() // joined by Close
	if err := b.waitListening(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func (b *brokerProcess) waitListening(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", b.addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-b.done:
			return fmt.Errorf("the broker process exited: %s", strings.TrimSpace(b.stderr.String()))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the broker process did not listen on %s in time", b.addr)
		}
	}
}

// Close stops the broker: SIGTERM, then SIGKILL after two seconds.
func (b *brokerProcess) Close() {
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(2 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
}

// procUse is the CPU time and resident memory of one process.
type procUse struct {
	cpu   time.Duration
	rssMB float64
	ok    bool
}

// procUsage reads a process's CPU time and RSS from /proc (Linux only).
func procUsage(pid int) procUse {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procUse{}
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 22 {
		return procUse{}
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	rssPages, _ := strconv.ParseInt(f[21], 10, 64)
	const ticks = 100 // USER_HZ, 100 on every Linux architecture Go supports
	return procUse{
		cpu:   time.Duration(utime+stime) * time.Second / ticks,
		rssMB: float64(rssPages*int64(os.Getpagesize())) / (1 << 20),
		ok:    true,
	}
}

// redisUsage reads redis-server's CPU time and RSS from INFO, which works
// for a server anywhere; miniredis reports neither (ok false).
func redisUsage(ctx context.Context, rdb redis.UniversalClient) procUse {
	info, err := rdb.Info(ctx, "cpu", "memory").Result()
	if err != nil {
		return procUse{}
	}
	var u procUse
	for _, line := range strings.Split(info, "\r\n") {
		k, v, _ := strings.Cut(line, ":")
		f, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "used_cpu_user", "used_cpu_sys":
			u.cpu += time.Duration(f * float64(time.Second))
			u.ok = true
		case "used_memory_rss":
			u.rssMB = f / (1 << 20)
		}
	}
	return u
}
