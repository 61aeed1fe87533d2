// Package loopback starts the stand-ins' test HTTP servers on 127.0.0.1
// only: tests never talk to anything but the loopback interface.
package loopback
