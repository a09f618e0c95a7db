package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"unicode/utf8"

	"github.com/ufhook/ufhook/contract"
)

// checkKey refuses a webhook API key or admin key shorter than the suite
// accepts (contract.MinTokenLength): a key the suite cannot test is a key
// a receiver should not be configured with.
func checkKey(flag, key string) error {
	if n := utf8.RuneCountInString(key); n < contract.MinTokenLength {
		return usageError("%s: the key has %d characters, fewer than %d: give a longer one (Userfront's have 57 characters: uf_test_webhook_<tenantId>_<32 hex digits>)", flag, n, contract.MinTokenLength)
	}
	return nil
}

// checkListen refuses a --listen value that is not host:port with a port
// from 0 to 65535, before anything is started.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if _, err = strconv.ParseUint(port, 10, 16); err == nil {
			return nil
		}
		err = fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return usageError("--listen %q: %v: give host:port, e.g. 127.0.0.1:8787, or 127.0.0.1:0 for any free port", addr, err)
}

// exposed reports whether a listener on addr (host:port) can be reached
// from other machines: any host but a loopback address or localhost.
func exposed(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// warnExposed prints a warning to w when --listen addr can be reached from
// other machines.
func warnExposed(w io.Writer, addr string) {
	if exposed(addr) {
		fmt.Fprintf(w, "ufhook: warning: --listen %s can be reached from other machines, not only this one; use --listen 127.0.0.1:PORT to keep it local\n", addr)
	}
}

// dialAddr is the host:port a client on this machine uses to reach a
// listener bound to addr (as net.Listener.Addr reports it) for the
// --listen value listen: the loopback address of the same family when the
// listener takes every address (0.0.0.0 or an empty host is 127.0.0.1, ::
// is ::1).
func dialAddr(listen string, addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	host, _, _ := net.SplitHostPort(listen)
	ip := net.IPv4(127, 0, 0, 1)
	if h := net.ParseIP(host); h != nil && h.To4() == nil {
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(tcp.Port))
}
