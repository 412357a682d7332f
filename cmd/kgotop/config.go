package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// configFile is a team's defaults: YAML whose keys are the settings' keys,
// nested at their dots (advisor.cpuLimits is cpuLimits under advisor).
type configFile struct {
	path string
	// required is a file named by --config or $KGOTOP_CONFIG: it must exist.
	required bool
	// values are the file's settings by key; nil when there is no file or
	// it is broken. state says which, for `config view`.
	values map[string]configValue
	state  string
}

// configValue is one setting's value in the file: a scalar's text as
// written, or a list's items, and the line it is on.
type configValue struct {
	line   int
	text   string
	list   []string
	isList bool
}

// set gives the value to a flag the way the command line would.
func (v configValue) set(f *pflag.Flag) error {
	if !v.isList {
		return f.Value.Set(v.text)
	}
	sv, ok := f.Value.(pflag.SliceValue)
	if !ok {
		return fmt.Errorf("takes one value, not a list")
	}
	return sv.Replace(v.list)
}

// read reads the file and checks every value as its flag would be checked,
// on options of their own, so that nothing of a broken file is applied.
// Its error is one line naming the file, the line and the key.
func (c *configFile) read() error {
	c.state = "none"
	if c.path == "" {
		return nil
	}
	data, err := os.ReadFile(c.path)
	if os.IsNotExist(err) && !c.required {
		c.state = "not found"
		return nil
	}
	if err == nil {
		var vals map[string]configValue
		if vals, err = c.parse(data); err == nil {
			c.values, c.state = vals, "read"
			return nil
		}
	}
	err = fmt.Errorf("config %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	c.state = "ignored: " + err.Error()
	return err
}

// parse reads the YAML and checks it against the settings.
func (c *configFile) parse(data []byte) (map[string]configValue, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	vals := map[string]configValue{}
	if len(doc.Content) > 0 {
		if err := flatten(doc.Content[0], "", vals); err != nil {
			return nil, fmt.Errorf("%s:%w", c.path, err)
		}
	}
	scratch := pflag.NewFlagSet("config", pflag.ContinueOnError)
	o := newOptions("", scratch)
	keys := map[string]setting{}
	for _, s := range o.settings() {
		if s.key != "" {
			keys[s.key] = s
		}
	}
	for _, key := range byLine(vals) {
		v := vals[key]
		s, ok := keys[key]
		if !ok {
			return nil, fmt.Errorf("%s:%d: unknown key %s%s", c.path, v.line, key, didYouMean(key, keys))
		}
		err := v.set(scratch.Lookup(s.name))
		if err == nil && s.parse != nil {
			err = s.parse(o)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fromFile(c.path, v, s).name, err)
		}
	}
	return vals, nil
}

// flatten gathers a mapping's leaves under their dotted keys. Its errors
// start with the line number.
func flatten(n *yaml.Node, prefix string, into map[string]configValue) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%d: %swant a mapping of keys to values", n.Line, under(prefix))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := prefix + k.Value
		switch {
		case v.Kind == yaml.MappingNode:
			if err := flatten(v, key+".", into); err != nil {
				return err
			}
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			// a key with no value sets nothing
		case v.Kind == yaml.ScalarNode:
			into[key] = configValue{line: k.Line, text: v.Value}
		case v.Kind == yaml.SequenceNode:
			cv := configValue{line: k.Line, isList: true, list: []string{}}
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode {
					return fmt.Errorf("%d: %s: want a list of plain values", item.Line, key)
				}
				cv.list = append(cv.list, item.Value)
			}
			into[key] = cv
		default:
			return fmt.Errorf("%d: %s: want a value, a list or a mapping", v.Line, key)
		}
	}
	return nil
}

func under(prefix string) string {
	if prefix == "" {
		return ""
	}
	return strings.TrimSuffix(prefix, ".") + ": "
}

// byLine returns the keys in the order the file has them.
func byLine(vals map[string]configValue) []string {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(vals[a].line, vals[b].line) })
	return keys
}

// didYouMean names the known key that differs from key only in case, or
// only in its last part's case, which is the usual slip (memoryQos).
func didYouMean(key string, known map[string]setting) string {
	for k := range known {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf(" (did you mean %s?)", k)
		}
	}
	return " (`kgotop config view` lists the keys)"
}

// viewConfig prints the settings a config file may hold, as kgotop runs with
// them now, each with where its value came from: itself a config file.
func (o *options) viewConfig(w io.Writer, fs *pflag.FlagSet) error {
	root := &yaml.Node{Kind: yaml.MappingNode}
	for _, s := range o.settings() {
		if s.key == "" {
			continue
		}
		parent := root
		parts := strings.Split(s.key, ".")
		for _, p := range parts[:len(parts)-1] {
			parent = child(parent, p)
		}
		val := valueNode(fs.Lookup(s.name))
		val.LineComment = "# " + o.sources[s.name].note()
		parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: parts[len(parts)-1]}, val)
	}
	path := o.cfg.path
	if path == "" {
		path = "(no config folder)"
	}
	fmt.Fprintf(w, "# %s's settings in force, and where each comes from:\n", o.name)
	fmt.Fprintf(w, "# a flag, else the environment, else the config file, else the default.\n")
	fmt.Fprintf(w, "# config file: %s (%s)\n", path, o.cfg.state)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return fmt.Errorf("printing the settings: %w", err)
	}
	return enc.Close()
}

// child returns the mapping under key in parent, adding it when missing.
func child(parent *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(parent.Content); i += 2 {
		if parent.Content[i].Value == key {
			return parent.Content[i+1]
		}
	}
	m := &yaml.Node{Kind: yaml.MappingNode}
	parent.Content = append(parent.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, m)
	return m
}

// valueNode is a flag's value as YAML: a list for a list flag.
func valueNode(f *pflag.Flag) *yaml.Node {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, item := range sv.GetSlice() {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: item})
		}
		return seq
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: f.Value.String()}
	if n.Value == "" {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}
