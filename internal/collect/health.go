package collect

import (
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"

	"github.com/kgotop/kgotop/internal/model"
)

// apiHealth is whether the API server answers, as every part that calls it
// finds out: the usage poller's lists and the patcher's patches.
type apiHealth struct {
	now func() time.Time

	mu     sync.Mutex
	status model.APIStatus
}

func newAPIHealth(now func() time.Time) *apiHealth {
	return &apiHealth{now: now, status: model.APIStatus{Live: true}}
}

// observe records the outcome of a call to the API server: any answer, even
// an error, means it is live; no answer marks it stale from now on.
func (h *apiHealth) observe(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil || !unreachable(err) {
		h.status.Live, h.status.Error = true, ""
		return
	}
	if h.status.Live {
		h.status.StaleSince = h.now()
	}
	h.status.Live, h.status.Error = false, err.Error()
}

// get returns the API server's status.
func (h *apiHealth) get() model.APIStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.status
}

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
