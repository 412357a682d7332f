package collect

import (
	"context"
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// Namespaces lists the names of the cluster's namespaces, sorted: what
// shell completion offers for -n, as kubectl's does.
func Namespaces(ctx context.Context, c corev1client.NamespacesGetter) ([]string, error) {
	list, err := c.Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	names := make([]string, 0, len(list.Items))
	for _, ns := range list.Items {
		names = append(names, ns.Name)
	}
	slices.Sort(names)
	return names, nil
}
