package advisor

import "errors"

// The kinds of failure of applying a Patch. Whoever sends it to the API
// server (collect) wraps one of them with the server's message, and whoever
// shows the failure (the dashboard) tells them apart with errors.Is.
var (
	// ErrConflict: the object changed on the server since it was read.
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the credentials may not patch the object.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the server refused the patched object as invalid.
	ErrInvalid = errors.New("rejected as invalid")
	// ErrNotFound: the object is gone.
	ErrNotFound = errors.New("not found")
	// ErrUnsupported: the patch is for a kind kgotop does not patch.
	ErrUnsupported = errors.New("kgotop does not patch this kind")
	// ErrNodeCapacity: an in-place resize asks for more than the pod's
	// node can allocate at all (the API server's 403, cause NodeCapacity).
	ErrNodeCapacity = errors.New("more than the node can allocate")
)

// NodeShortfall is one resource an in-place resize asks more of than the
// pod's node can allocate at all: what the pod's requests would sum to and
// the node's allocatable, in millicores for CPU and bytes for memory.
type NodeShortfall struct {
	Resource               string // CPU or Memory
	Requested, Allocatable int64
}

// NodeCapacityError is ErrNodeCapacity with what did not fit, as the API
// server said it; Short is empty when its message could not be read.
type NodeCapacityError struct {
	Short   []NodeShortfall
	Message string
}

// Error is the API server's message, after the kind.
func (e *NodeCapacityError) Error() string { return ErrNodeCapacity.Error() + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrNodeCapacity) hold.
func (e *NodeCapacityError) Unwrap() error { return ErrNodeCapacity }
