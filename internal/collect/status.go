package collect

import (
	"errors"
	"net"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// verbOf reads the refused verb from a Forbidden status ("... cannot list
// resource ..."), defaulting to list.
func verbOf(s *apierrors.StatusError) string {
	msg := s.ErrStatus.Message
	if i := strings.Index(msg, "cannot "); i >= 0 {
		if f := strings.Fields(msg[i+len("cannot "):]); len(f) > 0 {
			return f[0]
		}
	}
	return "list"
}

// unreachable reports whether err means the API server could not be reached
// at all (as opposed to answering with an error).
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case utilnet.IsConnectionRefused(err), utilnet.IsConnectionReset(err), utilnet.IsProbableEOF(err):
		return true
	case errors.As(err, &opErr), errors.As(err, &netErr):
		return true
	case apierrors.IsTimeout(err), apierrors.IsServerTimeout(err):
		return true
	}
	return false
}

// markReachable records whether the API server answered.
func (c *Collector) markReachable(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil || !unreachable(err) {
		c.api.Live, c.api.Error = true, ""
		return
	}
	if c.api.Live {
		c.api.StaleSince = c.opts.Now()
	}
	c.api.Live, c.api.Error = false, err.Error()
}
