package collect

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestNamespaces(t *testing.T) {
	kube := fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
	)
	got, err := Namespaces(context.Background(), kube.CoreV1())
	if err != nil || !slices.Equal(got, []string{"default", "shop"}) {
		t.Errorf("Namespaces = %v, %v; want [default shop]", got, err)
	}
}
