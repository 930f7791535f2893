// Command pause holds a pod's namespaces for as long as the pod lives, as Kubernetes' own pause image does
// (registry.k8s.io does not answer where the tests run, so the real node's sandbox image is built from this).
// As PID 1 of the pod it reaps orphaned processes and exits on SIGINT or SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for received := range signals {
		if received != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
