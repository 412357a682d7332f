package model

import "testing"

func TestEnvSourceSaysWhereTheValueComesFrom(t *testing.T) {
	for _, tc := range []struct {
		s     EnvSource
		want  string
		limit string // the resource whose limit it is, if any
	}{
		{EnvSource{Kind: EnvResourceField, Resource: "limits.memory"}, "resourceFieldRef limits.memory", "memory"},
		{EnvSource{Kind: EnvResourceField, Resource: "limits.memory", Divisor: "1Mi"}, "resourceFieldRef limits.memory divisor 1Mi", "memory"},
		{EnvSource{Kind: EnvResourceField, Resource: "limits.cpu"}, "resourceFieldRef limits.cpu", "cpu"},
		{EnvSource{Kind: EnvResourceField, Resource: "requests.memory"}, "resourceFieldRef requests.memory", ""},
		{EnvSource{Kind: EnvField, Resource: "metadata.name"}, "fieldRef metadata.name", ""},
		{EnvSource{Kind: EnvSecretKey, Name: "db", Key: "pool"}, "secretKeyRef db/pool", ""},
		{EnvSource{Kind: EnvConfigMapKey, Name: "go", Key: "limit"}, "configMapKeyRef go/limit", ""},
		{EnvSource{}, "valueFrom", ""},
	} {
		if got := tc.s.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.s, got, tc.want)
		}
		for _, r := range []string{"memory", "cpu"} {
			if got := tc.s.FromLimit(r); got != (r == tc.limit) {
				t.Errorf("%s: FromLimit(%s) = %v", tc.want, r, got)
			}
		}
	}
	var none *EnvSource
	if none.FromLimit("memory") {
		t.Error("a literal value is from the limit")
	}
}
