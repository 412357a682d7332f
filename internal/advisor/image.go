package advisor

import (
	"fmt"
	"strings"
)

// imageRef is an image reference split into its parts:
// [registry/]path[:tag][@digest].
type imageRef struct {
	repo, tag, digest string
}

func parseImage(s string) imageRef {
	var r imageRef
	if i := strings.Index(s, "@"); i >= 0 {
		s, r.digest = s[:i], s[i+1:]
	}
	if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
		s, r.tag = s[:i], s[i+1:]
	}
	r.repo = s
	return r
}

// name returns the last path element of the repository: "golang".
func (r imageRef) name() string { return r.repo[strings.LastIndex(r.repo, "/")+1:] }

// adviseImage flags a Go toolchain image used as the runtime image, an
// image whose tag can move under the workload, and a Go out of support;
// patchSetsProcs says the patch sets a GOMAXPROCS env, which an upgrade
// to Go 1.25 makes one to drop.
func adviseImage(x wctx, patchSetsProcs bool) []Advice {
	var out []Advice
	if a := adviseGoSupport(x, patchSetsProcs); a != nil {
		out = append(out, *a)
	}
	if x.c.Image == "" {
		return out
	}
	ref := parseImage(x.c.Image)
	if ref.name() == "golang" {
		out = append(out, toolchainImage(x, ref))
	}
	if ref.digest == "" && (ref.tag == "" || ref.tag == "latest") {
		a := x.advice(KindImageLatest, Warning, fmt.Sprintf(
			"%s is not pinned: each new pod may pull a different image, and a rollback cannot go back; pin a version tag or a digest", x.c.Image))
		a.Current = textValue(x.c.Image)
		a.Suggested = textValue("a version tag or a digest")
		a.Evidence = []Evidence{ev("image", x.c.Image)}
		if digest, n := runningDigest(x); digest != "" {
			pinned := ref.repo + "@" + digest
			a.Suggested = textValue(pinned)
			a.Evidence = append(a.Evidence, ev("running digest", digest))
			a.Changes = []Change{{Container: x.c.Name, Image: &ImageChange{Image: pinned}}}
			a.Notes = append(a.Notes, fmt.Sprintf("pins the digest all %d running instances use; the image change restarts the pods", n))
		} else {
			a.Confidence.Note = "the running instances report no common digest to pin"
		}
		out = append(out, a)
	}
	return out
}

// toolchainImage advises a multi-stage build onto a minimal base for a
// container that runs in the golang image, building with the image's Go
// when it is supported and with the newest Go otherwise.
func toolchainImage(x wctx, ref imageRef) Advice {
	a := x.advice(KindImageToolchain, Warning, fmt.Sprintf(
		"%s is the full Go toolchain (hundreds of MB, a compiler and a shell in production): build in one stage, run on a minimal base", x.c.Image))
	a.Current, a.Suggested = textValue(x.c.Image), textValue("multi-stage build onto distroless/static")
	a.Evidence = []Evidence{ev("image", x.c.Image)}
	build := "golang:" + ref.tag
	ma, mi, ok := goVersion(x)
	switch {
	case x.opts.Now.IsZero() && (ref.tag == "" || ref.tag == "latest"):
		build = "golang:1" // no clock to say which Go is newest
	case x.opts.Now.IsZero():
	case ref.tag == "" || ref.tag == "latest" || ok && ma == 1 && !supportOf(mi, x.opts.Now).supported():
		// Build with a supported Go, not the one the old image had.
		build = fmt.Sprintf("golang:1.%d", newestGo(x.opts.Now))
	}
	a.Code, a.CodeLang = fmt.Sprintf(dockerfile, build), "dockerfile"
	return a
}

// runningDigest returns the repository digest ("sha256:...") every instance
// of the container runs, and how many instances there are; "" when they
// differ or report none.
func runningDigest(x wctx) (string, int) {
	var digest string
	for _, in := range x.c.Instances {
		i := strings.Index(in.ImageID, "@sha256:")
		if i < 0 {
			return "", 0
		}
		d := in.ImageID[i+1:]
		if digest != "" && d != digest {
			return "", 0
		}
		digest = d
	}
	return digest, len(x.c.Instances)
}

const dockerfile = `# Build with the toolchain ...
FROM %s AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .

# ... and run the binary alone: no compiler, no shell, a few MB.
FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/app /app
USER nonroot:nonroot
ENTRYPOINT ["/app"]`
