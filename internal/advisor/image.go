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

// newestGo is the newest Go release (1.27, August 2026) when this was
// written. Go supports its two newest releases.
const newestGo = 27

// adviseImage flags a Go toolchain image used as the runtime image and an
// image whose tag can move under the workload.
func adviseImage(x wctx) []Advice {
	if x.c.Image == "" {
		return nil
	}
	ref := parseImage(x.c.Image)
	var out []Advice
	if ref.name() == "golang" {
		a := x.advice(KindImageToolchain, Warning, fmt.Sprintf(
			"%s is the full Go toolchain (hundreds of MB, a compiler and a shell in production): build in one stage, run on a minimal base", x.c.Image))
		a.Current, a.Suggested = textValue(x.c.Image), textValue("multi-stage build onto distroless/static")
		a.Evidence = []Evidence{ev("image", x.c.Image)}
		build := "golang:" + ref.tag
		if ref.tag == "" || ref.tag == "latest" {
			build = fmt.Sprintf("golang:1.%d", newestGo)
		}
		if ma, mi, ok := goVersion(x); ok && ma == 1 && mi < newestGo-1 {
			// Build with a supported Go, not the one the old image had.
			build = fmt.Sprintf("golang:1.%d", newestGo)
			a.Notes = append(a.Notes, fmt.Sprintf("Go %d.%d is out of support (Go supports its two newest releases, 1.%d and 1.%d): the build stage uses 1.%d",
				ma, mi, newestGo-1, newestGo, newestGo))
		}
		a.Code, a.CodeLang = fmt.Sprintf(dockerfile, build), "dockerfile"
		out = append(out, a)
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
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
USER nonroot:nonroot
ENTRYPOINT ["/app"]`
