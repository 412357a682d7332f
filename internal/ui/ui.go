// Package ui is kgotop's interactive dashboard: a Bubble Tea program whose
// root model routes messages to a header, the workload table, a detail view
// and a patch view. It never talks to the API server itself: everything it
// knows comes through Deps, and every call that may block (a snapshot,
// applying a patch) runs in a command off the UI goroutine, answered by a
// message that carries the sequence number of the request it answers.
package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kgotop/kgotop/internal/advisor"
	"github.com/kgotop/kgotop/internal/clip"
	"github.com/kgotop/kgotop/internal/model"
)

// Deps are everything the dashboard needs from the outside world. The real
// cluster and the demo fill them in; tests pass fakes.
type Deps struct {
	// Context and Namespace are shown in the header ("" namespace = all).
	Context, Namespace string
	// ShortContext, when set, is Context in fewer cells, for a narrow header.
	ShortContext string
	// About, when set, is what the help says first of the cluster shown:
	// the demo's, that it is simulated and how fast its clock runs.
	About string
	// Snapshot returns what is known now; it must be cheap and never touch
	// the network. The dashboard calls it in a command on every refresh.
	Snapshot func() model.Snapshot
	// Apply sends a patch to the API server, as a server-side dry run when
	// dryRun is set, and returns one line saying what the server accepted.
	// It may block on the network: the dashboard calls it in a command only.
	// Errors wrapping advisor's apply error kinds (advisor.ErrConflict,
	// ErrForbidden, ErrInvalid, ErrNotFound) are explained in plain words.
	Apply func(ctx context.Context, p advisor.Patch, dryRun bool) (string, error)
	// Resize changes one running pod's CPU and memory in place through the
	// pods/resize subresource (a server-side dry run when dryRun is set)
	// and returns the pod's generation after it, which the kubelet's
	// observedGeneration must reach. It may block; nil offers no in-place
	// resize. Errors wrap advisor's apply error kinds (ErrNodeCapacity too).
	Resize func(ctx context.Context, namespace, pod string, body []byte, dryRun bool) (int64, error)
	// Record files a change applied from the dashboard (a rollout or an
	// in-place resize) where snapshots and later runs find it, for its
	// follow-up. It may block (a file is written); nil files nothing.
	Record func(model.AppliedChange)
	// Advisor tunes the advice made from each snapshot.
	Advisor advisor.Options
	// ReadOnly turns applying off (dry runs included); copying stays.
	ReadOnly bool
	// Theme is the palette, as StylesFor names it ("" is the default).
	Theme string
	// Now is the clock; tests pass a fixed one. Nil means time.Now.
	Now func() time.Time
	// Refresh is how often a new snapshot is taken (default 2s).
	Refresh time.Duration
	// Load, when set, runs once off the UI goroutine before the first
	// snapshot is taken: slow preparation, such as the demo's warm-up, that
	// the dashboard shows as loading and that q or ctrl+c interrupts by
	// cancelling its context. Snapshot and Apply are not called before it
	// returns nil; an error ends the dashboard, and Run returns it.
	Load func(ctx context.Context) error
	// Loading says what is being loaded, for the loading line ("simulating
	// 8h of history"); "" says "reading the cluster".
	Loading string
	// Copy puts text y copies where a paste finds it besides the
	// terminal's clipboard, which the dashboard asks for itself (OSC 52):
	// the local clipboard and a file (clip.Copier.Copy). It may block; the
	// dashboard calls it in a command only. Nil copies to the terminal
	// alone; Run fills in clip.Local's.
	Copy func(text string) clip.Result
}

// view is which screen the body shows.
type view int

const (
	viewTable view = iota
	viewDetail
	viewPatch
)

// Model is the dashboard's root model: it owns the shared state (window
// size, the latest snapshot, the refresh sequence) and routes messages to
// the table, detail and patch sub-models.
type Model struct {
	deps   Deps
	ctx    context.Context
	keys   KeyMap
	styles Styles

	width, height int
	view          view
	back          view // where esc in the patch view returns to
	showHelp      bool
	helpOffset    int // the first line of the help shown

	// started is when the dashboard started (see loadingFor).
	started time.Time
	// seq numbers the refresh in flight; replies with another number are stale.
	seq uint64
	// prepared is whether Deps.Load is done (or there is none); err is its
	// error, which ends the dashboard.
	prepared bool
	err      error
	loaded   bool
	now      time.Time
	snap     model.Snapshot
	index    map[model.WorkloadRef]int // into snap.Workloads and table.rows
	counts   adviceCounts
	// rowCache keeps the rows of unchanged workloads between refreshes.
	rowCache *rowCache

	table  tableModel
	detail detailModel
	patch  patchModel
	// notice is a one-line message in the footer, cleared by the next key.
	notice model.Cell
	// command is the command line (:), taking keys while it is focused.
	command filterInput
	// mouseOff is whether :mouse gave the mouse back to the terminal.
	mouseOff bool
}

// New returns the dashboard's model for the given dependencies.
func New(d Deps) Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Refresh <= 0 {
		d.Refresh = 2 * time.Second
	}
	if d.Snapshot == nil {
		d.Snapshot = func() model.Snapshot { return model.Snapshot{} }
	}
	now := d.Now()
	styles, err := StylesFor(d.Theme)
	if err != nil {
		styles = DefaultStyles()
	}
	return Model{
		started:  now,
		rowCache: newRowCache(),
		deps:     d,
		ctx:      context.Background(),
		keys:     DefaultKeyMap(),
		styles:   styles,
		now:      now,
		prepared: d.Load == nil,
		seq:      1,
		table:    newTable(),
	}
}

// Init starts Deps.Load, or the first refresh when there is nothing to load.
func (m Model) Init() tea.Cmd {
	if !m.prepared {
		return loadCmd(m.ctx, m.deps.Load)
	}
	return fetchCmd(m.deps.Snapshot, m.deps.Advisor, m.deps.Now, m.seq, m.rowCache)
}

// loadedMsg answers loadCmd: Deps.Load is done, with its error.
type loadedMsg struct{ err error }

// loadCmd runs Deps.Load off the UI goroutine.
func loadCmd(ctx context.Context, load func(context.Context) error) tea.Cmd {
	return func() tea.Msg { return loadedMsg{err: load(ctx)} }
}

// Run runs the dashboard until the person quits or ctx ends; neither is an
// error, but a failed Deps.Load is. Quitting cancels the context Deps.Load
// runs under.
func Run(ctx context.Context, d Deps) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if d.Copy == nil {
		d.Copy = clip.Local().Copy
	}
	m := New(d)
	m.ctx = ctx
	final, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrInterrupted) || (errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	if fm, ok := final.(Model); ok && fm.err != nil {
		return fmt.Errorf("loading: %w", fm.err)
	}
	return nil
}
