package advisor

import "github.com/kgotop/kgotop/internal/model"

// GoAtLeast reports whether the container's Go is known (known) to be at
// least 1.minor (ok), from go_info when scraped, else from its detection.
func GoAtLeast(c model.Container, minor int) (ok, known bool) {
	return goAtLeast(wctx{c: c}, minor)
}

// ParseGoBytes parses a GOMEMLIMIT value as the Go runtime does: bytes with
// an optional B, KiB, MiB, GiB or TiB suffix; "off", "" and what the
// runtime would refuse are errors.
func ParseGoBytes(s string) (int64, error) { return parseGoBytes(s) }
