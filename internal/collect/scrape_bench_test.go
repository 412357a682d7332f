package collect

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// scrapedNamespace is bigNamespace with every pod annotated for scraping
// and given an IP.
func scrapedNamespace(pods int) []runtime.Object {
	objs, _ := bigNamespace(pods)
	for _, o := range objs {
		if p, ok := o.(*corev1.Pod); ok {
			p.Annotations = map[string]string{annScrape: "true", annPort: "9090"}
			p.Status.PodIP = "10.244.1.7"
		}
	}
	return objs
}

// BenchmarkScrapeRound10k measures one round of Go runtime scrapes at
// 10,000 pods in 1,000 Deployments (pages served at once from the recorded
// goapp page): planning, 64 fetches four at a time, parsing and filing.
// requests/round is the load on the API server's pod proxy per metrics
// window; snapshot-ms is a snapshot with every container's page attached.
func BenchmarkScrapeRound10k(b *testing.B) {
	t := &testing.T{}
	serve := goappPage(t)
	pages := &instantPages{serve: serve}
	r := newRig(t, scrapedNamespace(10_000)...).withMetricsAPI()
	r.c = New(Clients{Kube: r.kube, Metrics: r.metrics.MetricsV1beta1(), Discovery: r.disc, Pages: pages},
		Options{Namespace: ns, Now: func() time.Time { return r.now }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.c.Start(ctx)
	if err := r.c.WaitForSync(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.now = r.now.Add(15 * time.Second)
		if done := r.c.scraper.start(ctx, r.c.watch.index(), r.now, 15*time.Second); done != nil {
			<-done
		}
	}
	b.StopTimer()
	start := time.Now()
	r.c.Snapshot()
	snap := time.Since(start)
	rounds, requests := r.c.scraper.load()
	b.ReportMetric(float64(requests)/float64(max(rounds, 1)), "requests/round")
	b.ReportMetric(float64(snap.Microseconds())/1000, "snapshot-ms")
}

// instantPages serves pages without the fake's bookkeeping.
type instantPages struct {
	serve func(ScrapeTarget, int) (MetricsPage, error)
}

func (p *instantPages) Page(_ context.Context, t ScrapeTarget) (MetricsPage, error) {
	return p.serve(t, 1)
}
