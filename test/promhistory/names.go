package promhistory

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

// sum32 is a stable hash of a name and two numbers.
func sum32(name string, a, b int) uint32 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d/%d", name, a, b)
	return h.Sum32()
}

// rsHash returns a pod-template-hash for a Deployment's rollout, spelled as
// the Deployment controller spells them (rand.SafeEncodeString of a 32-bit hash).
func rsHash(deploy string, rollout int) string {
	return utilrand.SafeEncodeString(fmt.Sprint(sum32(deploy, rollout, -1)))
}

// alphanums are the characters of generated names (k8s.io/apimachinery/pkg/util/rand).
const alphanums = "bcdfghjklmnpqrstvwxz2456789"

// podSuffix returns the five characters the API server's generateName adds
// to a ReplicaSet's pods, stable for a pod of a rollout.
func podSuffix(deploy string, rollout, replica int) string {
	h := sum32(deploy, rollout, replica)
	b := make([]byte, 5)
	for i := range b {
		b[i] = alphanums[h%uint32(len(alphanums))]
		h /= uint32(len(alphanums))
	}
	return string(b)
}

// uid returns a stable UID for a pod of a rollout.
func uid(pod string, rollout int) string {
	a, b, c, d := sum32(pod, rollout, 1), sum32(pod, rollout, 2), sum32(pod, rollout, 3), sum32(pod, rollout, 4)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%04x%08x", a, b>>16, b&0xfff, c>>20, c&0xffff, d)
}

// cutLast splits a sample line of a text page into its series and value.
func cutLast(line string) (key, value string, ok bool) {
	if line == "" || line[0] == '#' {
		return "", "", false
	}
	i := strings.LastIndexByte(line, ' ')
	if i < 0 {
		return "", "", false
	}
	return line[:i], line[i+1:], true
}

// parseFloat reads a sample value (the pages this package reads are its own: always valid).
func parseFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(fmt.Sprintf("promhistory: sample value %q: %v", s, err))
	}
	return v
}
