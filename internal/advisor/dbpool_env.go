package advisor

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kgotop/kgotop/internal/model"
)

// poolSetting is the database/sql setting a kind of pool advice changes and
// the env var name endings a program that reads it from env uses.
type poolSetting struct {
	call     string
	suffixes []string
}

var poolSettings = map[Kind]poolSetting{
	KindDBPoolWait:      {"SetMaxOpenConns", []string{"MAX_OPEN_CONNS", "MAX_OPEN_CONNECTIONS"}},
	KindDBPoolUnlimited: {"SetMaxOpenConns", []string{"MAX_OPEN_CONNS", "MAX_OPEN_CONNECTIONS"}},
	KindDBPoolTotal:     {"SetMaxOpenConns", []string{"MAX_OPEN_CONNS", "MAX_OPEN_CONNECTIONS"}},
	KindDBPoolIdle:      {"SetMaxIdleConns", []string{"MAX_IDLE_CONNS", "MAX_IDLE_CONNECTIONS"}},
	KindDBPoolLifetime:  {"SetConnMaxLifetime", []string{"CONN_MAX_LIFETIME", "CONNECTION_MAX_LIFETIME"}},
}

// poolEnv finds the env var through which the container sets a pool's
// setting: a literal env var whose name ends like the setting
// (DB_MAX_OPEN_CONNS, ORDERS_MAX_IDLE_CONNS), the only one in the
// container, or the one whose name holds the pool's name when there are
// several.
func poolEnv(c model.Container, db model.DBStats, kind Kind) (model.EnvVar, bool) {
	set, ok := poolSettings[kind]
	if !ok {
		return model.EnvVar{}, false
	}
	var found []model.EnvVar
	for _, e := range c.Env {
		for _, s := range set.suffixes {
			if strings.HasSuffix(strings.ToUpper(e.Name), s) {
				found = append(found, e)
				break
			}
		}
	}
	pick := -1
	switch {
	case len(found) == 1:
		pick = 0
	case len(found) > 1 && db.Name != "":
		for i, e := range found {
			if strings.Contains(strings.ToUpper(e.Name), strings.ToUpper(db.Name)) {
				pick = i
				break
			}
		}
	}
	if pick < 0 || found[pick].From != nil {
		return model.EnvVar{}, false
	}
	return found[pick], true
}

// envPatch makes pool advice patchable where the pod takes the setting from
// env: a Change that sets the env var, provided the running pool shows the
// program reads it (MaxOpen equal to the env value); otherwise a note says
// why the env var is not the lever.
func envPatch(x wctx, db model.DBStats, a *Advice) {
	e, ok := poolEnv(x.c, db, a.Kind)
	if !ok || a.Suggested.Amount <= 0 {
		return
	}
	current := strings.TrimSpace(e.Value)
	value := strconv.FormatInt(a.Suggested.Amount, 10)
	switch a.Kind {
	case KindDBPoolWait, KindDBPoolUnlimited, KindDBPoolTotal:
		// SetMaxOpenConns(n <= 0) means unlimited, which the pool shows as 0.
		n, err := strconv.ParseInt(current, 10, 64)
		if err != nil || n != db.MaxOpen && !(n <= 0 && db.MaxOpen == 0) {
			a.Notes = append(a.Notes, fmt.Sprintf("env %s=%q but the pool runs MaxOpen %d: the program does not take it from there", e.Name, e.Value, db.MaxOpen))
			return
		}
	case KindDBPoolLifetime:
		value = strings.TrimSuffix((time.Duration(a.Suggested.Amount) * time.Second).String(), "0s") // "30m"
		if n, err := strconv.Atoi(current); err == nil && n != 0 {
			value = strconv.FormatInt(a.Suggested.Amount, 10) // seconds, as the pod writes it
		}
	}
	a.Changes = []Change{setEnv(x.c.Name, e.Name, value)}
	a.Code, a.CodeLang = "", "" // the program takes it from the env: a value in code would override the patch
	a.Current.Display = fmt.Sprintf("%s (env %s)", a.Current.Display, e.Name)
	a.Notes = append(a.Notes, fmt.Sprintf("the pod takes it from env %s: the patch sets %s=%s; an env change restarts the pods", e.Name, e.Name, value))
}

// envLifetime returns the finite ConnMaxLifetime the container's env sets, or 0.
func envLifetime(c model.Container, db model.DBStats) time.Duration {
	e, ok := poolEnv(c, db, KindDBPoolLifetime)
	if !ok {
		return 0
	}
	v := strings.TrimSpace(e.Value)
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0
	}
	return max(d, 0)
}
