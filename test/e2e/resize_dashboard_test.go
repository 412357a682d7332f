//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// These tests resize pods in place from the dashboard, as a person does: kgotop
// in tmux against the sandbox, its keys (p, i, Y), its screen; client-go then
// reads what the API server and the kubelet stand-in (test/kubeletresize) made
// of it. Each test has a namespace of its own with one workload, so the
// dashboard opens with it selected, and its pod is OOMKilled (the status a
// kubelet would write, as the seed writes ingest's): an OOMKill is advice at
// once, with no history to wait for. The VPA's bump after an OOMKill is
// max(used + 100Mi, used x 1.2), used the request it had when killed or the
// peak, whichever is more.

// goTemplate is the pod template of a one-container Go service whose kwok
// usage is memory (and 60m of CPU).
func goTemplate(app, memory string, r corev1.ResourceRequirements, env ...corev1.EnvVar) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app},
			Annotations: map[string]string{"kwok.x-k8s.io/usage-cpu": "60m", "kwok.x-k8s.io/usage-memory": memory}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: app, Image: "registry.example/" + app + ":1.0.0", Env: append([]corev1.EnvVar{{Name: "GOGC", Value: "100"}}, env...), Resources: r,
		}}},
	}
}

// createDeployment makes a Deployment of one pod from template.
func createDeployment(t *testing.T, k kubernetes.Interface, pns string, tmpl corev1.PodTemplateSpec) {
	t.Helper()
	one := int32(1)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: tmpl.Labels["app"], Namespace: pns},
		Spec:       appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels}, Template: tmpl},
	}
	if _, err := k.AppsV1().Deployments(pns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// ownedPod waits for the one pod of app to run with its resources reported
// by the stand-in, and returns it.
func ownedPod(t *testing.T, k kubernetes.Interface, pns, app string) *corev1.Pod {
	t.Helper()
	var p *corev1.Pod
	eventually(t, app+"'s pod to run with its resources reported", 2*time.Minute, func() bool {
		list, err := k.CoreV1().Pods(pns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
		if err != nil || len(list.Items) != 1 {
			return false
		}
		p = &list.Items[0]
		return p.Status.Phase == corev1.PodRunning && statusOf(p, app).Resources != nil
	})
	return p
}

// oomKill writes into the pod's status what a kubelet writes when the
// container was OOMKilled a minute ago and started again: one restart, the
// last state OOMKilled. It returns the pod as written.
func oomKill(t *testing.T, k kubernetes.Interface, pns, pod, container string) *corev1.Pod {
	t.Helper()
	var out *corev1.Pod
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p := getPod(t, k, pns, pod)
		restarted := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
		for i := range p.Status.ContainerStatuses {
			cs := &p.Status.ContainerStatuses[i]
			if cs.Name != container {
				continue
			}
			cs.RestartCount = 1
			cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 137, Reason: "OOMKilled", StartedAt: metav1.NewTime(restarted.Add(-10 * time.Minute)), FinishedAt: restarted}}
			cs.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: restarted}}
		}
		var err error
		out, err = k.CoreV1().Pods(pns).UpdateStatus(context.Background(), p, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("writing the OOMKill: %v", err)
	}
	return out
}

// resizeDashboard opens the dashboard on the namespace.
func resizeDashboard(t *testing.T, pns string) *tmuxSession {
	t.Helper()
	return startTmux(t, 120, 40, "--kubeconfig", kubeconfig(), "-n", pns, "--no-history", "--prometheus", "off")
}

func memoryOf(l corev1.ResourceList) string {
	q := l[corev1.ResourceMemory]
	return q.String()
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// A StatefulSet whose updateStrategy is OnDelete (a template patch replaces
// no pod) is OOMKilled at its 256Mi limit. From the dashboard: p, i (the dry
// runs), Y. The same pod, with its one restart, then runs with the 356Mi
// limit, the StatefulSet's template carries it and the GOMEMLIMIT that goes
// with it, and kgotop does not ask to raise the limit again for the OOMKill
// it just answered.
func TestDashboardResizesInPlace(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-ui")
	// The memory request at the limit (Burstable all the same, by its
	// CPU): the VPA's bump counts the request as used, 256Mi + 100Mi.
	r := corev1.ResourceRequirements{Requests: rl("cpu", "100m", "memory", "256Mi"), Limits: rl("cpu", "500m", "memory", "256Mi")}
	one := int32(1)
	tmpl := goTemplate("ledger", "200Mi", r, corev1.EnvVar{Name: "GOMEMLIMIT", Value: "230MiB"})
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "ledger", Namespace: pns},
		Spec: appsv1.StatefulSetSpec{Replicas: &one, ServiceName: "ledger", Selector: &metav1.LabelSelector{MatchLabels: tmpl.Labels},
			Template: tmpl, UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}},
	}
	if _, err := k.AppsV1().StatefulSets(pns).Create(context.Background(), sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ownedPod(t, k, pns, "ledger")
	before := oomKill(t, k, pns, "ledger-0", "ledger")

	s := resizeDashboard(t, pns)
	s.waitFor(90*time.Second, "ledger", "memory limit 256Mi → 356Mi")
	s.keys("p")
	s.waitForWrapped(20*time.Second, "IN PLACE", "i resizes 1 running pod in place, then applies this patch",
		"GOMEMLIMIT in the env is read at start: the running program keeps 230MiB until it restarts")
	s.keys("i")
	s.waitFor(30*time.Second, "dry runs passed", "Press Y")
	if p := getPod(t, k, pns, "ledger-0"); p.Generation != before.Generation {
		t.Fatalf("the dry runs resized the pod: generation %d -> %d", before.Generation, p.Generation)
	}
	s.keys("Y")
	s.waitForWrapped(60*time.Second, "resized 1 pod in place and patched the template", "ledger-0 done: same pod, running with the new values")

	after := getPod(t, k, pns, "ledger-0")
	cs, was := statusOf(after, "ledger"), statusOf(before, "ledger")
	if after.UID != before.UID || cs.RestartCount != was.RestartCount || cs.RestartCount != 1 {
		t.Errorf("uid %s -> %s, restarts %d -> %d: not the same pod resized in place", before.UID, after.UID, was.RestartCount, cs.RestartCount)
	}
	if cs.Resources == nil || memoryOf(cs.Resources.Limits) != "356Mi" || memoryOf(cs.Resources.Requests) != "256Mi" {
		t.Errorf("the pod runs with %v, want the memory limit 356Mi and the rest as it was", cs.Resources)
	}
	if spec := after.Spec.Containers[0].Resources; memoryOf(spec.Limits) != "356Mi" {
		t.Errorf("the pod's spec asks for %v", spec)
	}
	got, err := k.AppsV1().StatefulSets(pns).Get(context.Background(), "ledger", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Spec.Template.Spec.Containers[0]
	if memoryOf(c.Resources.Limits) != "356Mi" || envValue(c, "GOMEMLIMIT") == "230MiB" || envValue(c, "GOGC") != "100" {
		t.Errorf("the template carries memory limit %s, GOMEMLIMIT %q, GOGC %q", memoryOf(c.Resources.Limits), envValue(c, "GOMEMLIMIT"), envValue(c, "GOGC"))
	}

	// Back on the dashboard: the workload is marked, runs with the new
	// limit, and the OOMKill from before the resize is answered.
	s.keys("Escape")
	screen := s.waitFor(60*time.Second, "ledger · resized", "200Mi/256Mi/356Mi")
	if strings.Contains(screen, "356Mi → ") {
		t.Errorf("kgotop asks to raise the limit again for the OOMKill the resize answered:\n%s", screen)
	}
}

// A Guaranteed pod of 28Gi OOMKilled: the bump (28Gi x 1.2) is more than
// the 32Gi its node can allocate at all. The resize's dry run is refused
// (1.36+: 403, cause NodeCapacity); the screen says it is infeasible and
// what to do, and nothing changed.
func TestDashboardResizeMoreThanTheNodeHas(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-huge")
	both := rl("cpu", "1", "memory", "28Gi")
	createDeployment(t, k, pns, goTemplate("vault", "27Gi", corev1.ResourceRequirements{Requests: both, Limits: both}))
	pod := ownedPod(t, k, pns, "vault")
	before := oomKill(t, k, pns, pod.Name, "vault")

	s := resizeDashboard(t, pns)
	s.waitFor(90*time.Second, "vault", "memory limit 28Gi → 34407Mi")
	s.keys("p")
	s.waitFor(20*time.Second, "IN PLACE", "i resizes 1 running pod in place")
	s.keys("i")
	s.waitForWrapped(30*time.Second, "Pod "+pod.Name+"'s resize is infeasible: the pod would request memory 33.6Gi in all, and node "+
		pod.Spec.NodeName+" can allocate 32Gi at all", "nothing changed", "a applies the template patch instead")
	assertUnchanged(t, k, pns, before, "vault")
}

// assertUnchanged checks that the pod and its Deployment are as they were.
func assertUnchanged(t *testing.T, k kubernetes.Interface, pns string, before *corev1.Pod, app string) {
	t.Helper()
	if p := getPod(t, k, pns, before.Name); p.Generation != before.Generation || p.UID != before.UID {
		t.Errorf("the pod changed: uid %s -> %s, generation %d -> %d", before.UID, p.UID, before.Generation, p.Generation)
	}
	d, err := k.AppsV1().Deployments(pns).Get(context.Background(), app, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Generation != 1 {
		t.Errorf("the Deployment was patched: generation %d", d.Generation)
	}
}

// On a node with a static memory manager, a Guaranteed pod's memory cannot
// change in place: the API server takes the resize, the kubelet (stand-in)
// marks it PodResizePending Infeasible. The run stops there, says so and
// what to do, and leaves the template alone.
func TestDashboardResizeInfeasible(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-static")
	const node = "kwok-node-1"
	annotateNode(t, k, node, "sandbox.kgotop.dev/memory-manager-policy", "Static")
	both := rl("cpu", "500m", "memory", "256Mi")
	tmpl := goTemplate("db", "200Mi", corev1.ResourceRequirements{Requests: both, Limits: both})
	tmpl.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": node}
	createDeployment(t, k, pns, tmpl)
	pod := ownedPod(t, k, pns, "db")
	before := oomKill(t, k, pns, pod.Name, "db")

	s := resizeDashboard(t, pns)
	s.waitFor(90*time.Second, "db", "memory limit 256Mi → 356Mi")
	s.keys("p")
	s.waitFor(20*time.Second, "i resizes 1 running pod in place")
	s.keys("i")
	s.waitFor(30*time.Second, "dry runs passed", "Press Y")
	s.keys("Y")
	s.waitForWrapped(60*time.Second, "Pod "+pod.Name+`'s resize is Infeasible: Resize is infeasible for Guaranteed Pods alongside Memory Manager policy "Static"`,
		"a applies the template patch")

	p, c := pendingAt(t, k, pns, pod.Name, before.Generation+1)
	if c.Reason != corev1.PodReasonInfeasible {
		t.Errorf("PodResizePending %s %q", c.Reason, c.Message)
	}
	if got := memoryOf(statusOf(p, "db").Resources.Limits); got != "256Mi" {
		t.Errorf("an infeasible resize changed what the pod runs with: %s", got)
	}
	d, err := k.AppsV1().Deployments(pns).Get(context.Background(), "db", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Generation != 1 {
		t.Errorf("the run went on to patch the template: generation %d", d.Generation)
	}
	if screen := s.screen(); strings.Contains(screen, "patched the template") {
		t.Errorf("the screen says the run went on:\n%s", screen)
	}
}

// A pod with no requests at all is BestEffort; requests make it Burstable,
// which no running pod may become. The patch view says in place is not
// possible and why, offers the rollout instead (a), and i does nothing.
func TestDashboardResizeRefusedForQoS(t *testing.T) {
	k := kube(t)
	pns := resizeNamespace(t, k, "kgotop-e2e-resize-qos")
	createDeployment(t, k, pns, goTemplate("batch", "120Mi", corev1.ResourceRequirements{}))
	before := ownedPod(t, k, pns, "batch")

	s := resizeDashboard(t, pns)
	s.waitFor(90*time.Second, "batch", "memory request not set")
	s.keys("p")
	s.waitForWrapped(20*time.Second, "IN PLACE not possible", "the QoS class of the pods would change from BestEffort to Burstable",
		"a applies the template patch instead")
	// i, then a: once a's dry run shows, i was handled before it.
	s.keys("i", "a")
	screen := s.waitFor(30*time.Second, "dry run passed", "Press Y to apply")
	if strings.Contains(screen, "Resizing") || strings.Contains(screen, "dry runs passed") {
		t.Errorf("i started a resize:\n%s", screen)
	}
	s.keys("n")
	assertUnchanged(t, k, pns, before, "batch")
	if q := getPod(t, k, pns, before.Name).Status.QOSClass; q != corev1.PodQOSBestEffort {
		t.Errorf("QoS class %s", q)
	}
}
