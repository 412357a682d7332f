// Command goapp is a small real Go HTTP service for trying and testing
// kgotop's Go runtime and database/sql pool reading. It serves /metrics from
// client_golang's default registry (the Go collector, with the opt-in heap
// and CPU-class metrics, and collectors.NewDBStatsCollector over a
// modernc.org/sqlite database) and /healthz, and has knobs for the problems
// kgotop should find:
//
//   - pool sizes from env, as many services take them: DB_MAX_OPEN_CONNS,
//     DB_MAX_IDLE_CONNS, DB_CONN_MAX_LIFETIME (flags override);
//   - -load: queries per second made by the program itself, each holding a
//     connection for -query-time, so a small pool starves;
//   - -leak: connections taken from the pool and never given back;
//   - -alloc: garbage made per query, so the GC has work;
//   - -setenv-gogc: os.Setenv("GOGC", "50") inside main, the classic mistake
//     that changes nothing for the running program.
//
// It lives in its own module so that kgotop's module never depends on
// client_golang or sqlite.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	_ "modernc.org/sqlite"
)

// config is the program's knobs after flags and env.
type config struct {
	addr         string
	dbPath       string
	maxOpen      int
	maxIdle      int
	lifetime     time.Duration
	load         float64
	queryTime    time.Duration
	leak         int
	alloc        int
	setenvGOGC   bool
	extraRuntime bool
}

func main() {
	cfg, err := parse(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "goapp: %v\n", err)
		os.Exit(2)
	}
	if cfg.setenvGOGC {
		// The classic mistake: GOGC is read once, when the runtime starts.
		// This changes the environment of child processes and nothing else.
		os.Setenv("GOGC", "50")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		log.Printf("goapp: %v", err)
		os.Exit(1)
	}
}

// envInt reads an integer env var, or returns def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// envDuration reads a duration env var ("30m"), or returns def.
func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("goapp", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", envString("ADDR", ":8080"), "listen address (env ADDR)")
	fs.StringVar(&c.dbPath, "db", envString("DB_PATH", ""), "sqlite database file (env DB_PATH; default: a new file in a temporary folder)")
	fs.IntVar(&c.maxOpen, "max-open", envInt("DB_MAX_OPEN_CONNS", 0), "db.SetMaxOpenConns (env DB_MAX_OPEN_CONNS; 0 = unlimited)")
	fs.IntVar(&c.maxIdle, "max-idle", envInt("DB_MAX_IDLE_CONNS", 2), "db.SetMaxIdleConns (env DB_MAX_IDLE_CONNS)")
	fs.DurationVar(&c.lifetime, "conn-max-lifetime", envDuration("DB_CONN_MAX_LIFETIME", 0), "db.SetConnMaxLifetime (env DB_CONN_MAX_LIFETIME; 0 = unlimited)")
	fs.Float64Var(&c.load, "load", 0, "queries per second the program makes itself")
	fs.DurationVar(&c.queryTime, "query-time", 20*time.Millisecond, "how long each query holds its connection")
	fs.IntVar(&c.leak, "leak", 0, "connections to take from the pool and never give back")
	fs.IntVar(&c.alloc, "alloc", 64<<10, "bytes of garbage each query makes")
	fs.BoolVar(&c.setenvGOGC, "setenv-gogc", os.Getenv("SETENV_GOGC") == "1", `call os.Setenv("GOGC", "50") in main, which does nothing (env SETENV_GOGC=1)`)
	fs.BoolVar(&c.extraRuntime, "runtime-metrics", true, "also expose go_gc_heap_live_bytes, go_gc_heap_goal_bytes and go_cpu_classes_*")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.load < 0 || c.leak < 0 || c.alloc < 0 || c.queryTime < 0 {
		return c, errors.New("-load, -leak, -alloc and -query-time must not be negative")
	}
	return c, nil
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, cfg config) error {
	if cfg.dbPath == "" {
		dir, err := os.MkdirTemp("", "goapp")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.dbPath = filepath.Join(dir, "goapp.db")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	if cfg.extraRuntime {
		// The opt-in runtime metrics kgotop reads for the live heap and the
		// GC's share of CPU, on top of client_golang's defaults.
		prometheus.Unregister(collectors.NewGoCollector())
		prometheus.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/(live|goal):bytes$|^/cpu/classes/(total|idle|gc/total|gc/mark/idle):cpu-seconds$`)},
		)))
	}
	prometheus.MustRegister(collectors.NewDBStatsCollector(db, "main"))

	leaked, err := leak(ctx, db, cfg.leak)
	if err != nil {
		return err
	}
	defer func() {
		for _, c := range leaked {
			c.Close()
		}
	}()
	go generateLoad(ctx, db, cfg)

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(prometheus.DefaultGatherer, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		n, err := query(r.Context(), db, cfg)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, n)
	})
	srv := &http.Server{Addr: cfg.addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("goapp: listening on %s (pool max open %d, max idle %d, lifetime %s; load %.0f/s; leak %d)",
		cfg.addr, cfg.maxOpen, cfg.maxIdle, cfg.lifetime, cfg.load, cfg.leak)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// openDB opens the database with the configured pool and a table to query.
func openDB(ctx context.Context, cfg config) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+cfg.dbPath+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", cfg.dbPath, err)
	}
	db.SetMaxOpenConns(cfg.maxOpen)
	db.SetMaxIdleConns(cfg.maxIdle)
	db.SetConnMaxLifetime(cfg.lifetime)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the table: %w", err)
	}
	for i := range 100 {
		if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO items (id, name) VALUES (?, ?)`, i, fmt.Sprint("item-", i)); err != nil {
			db.Close()
			return nil, fmt.Errorf("seeding: %w", err)
		}
	}
	return db, nil
}

// leak takes n connections out of the pool and keeps them.
func leak(ctx context.Context, db *sql.DB, n int) ([]*sql.Conn, error) {
	var out []*sql.Conn
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			return out, fmt.Errorf("leaking a connection: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// query counts the items on one connection held for cfg.queryTime, and makes
// cfg.alloc bytes of garbage.
func query(ctx context.Context, db *sql.DB, cfg config) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM items`).Scan(&n); err != nil {
		return 0, err
	}
	if cfg.alloc > 0 {
		garbage := make([]byte, cfg.alloc) // a size not known at compile time: on the heap
		garbage[len(garbage)-1] = 1
		runtime.KeepAlive(garbage)
	}
	select {
	case <-time.After(cfg.queryTime):
	case <-ctx.Done():
	}
	return n, nil
}

// generateLoad runs cfg.load queries per second, each in its own goroutine,
// until ctx ends.
func generateLoad(ctx context.Context, db *sql.DB, cfg config) {
	if cfg.load <= 0 {
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / cfg.load))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			go func() {
				qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if _, err := query(qctx, db, cfg); err != nil && ctx.Err() == nil {
					log.Printf("goapp: query: %v", err)
				}
			}()
		}
	}
}
