package model

import (
	"strings"
	"unicode/utf8"
)

// BreakCode breaks one line of code or a command into lines of at most
// width characters for the dashboard and the report, so that neither cuts
// a word or a token and the lines still read, and paste, as the same code:
//
//   - a shell command (lang shell, sh, bash, console or dockerfile) breaks
//     at a space outside quotes and goes on after " \"; inside a
//     single-quoted JSON argument (kubectl's -p '{...}') it breaks after
//     ',', '{' or '[' outside JSON strings, where a newline is whitespace;
//   - a comment (// or #) breaks at a space and goes on as a comment;
//   - other code breaks at a space outside quotes.
//
// Continuation lines are indented two more than the line. A token wider
// than a line stays whole on a line of its own, past width.
func BreakCode(line, lang string, width int) []string {
	if utf8.RuneCountInString(line) <= width {
		return []string{line}
	}
	body := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(body)]
	shell := isShell(lang)
	marker := commentMarker(lang)
	pieces := codePieces(body, shell, marker)

	var out []string
	cur, curW := indent, utf8.RuneCountInString(indent)
	for i, p := range pieces {
		pw := utf8.RuneCountInString(p.text)
		reserve := 0 // room for the " \" a shell line may end with
		if shell && i < len(pieces)-1 {
			reserve = 2
		}
		if i > 0 && curW+pw+reserve > width {
			out = append(out, strings.TrimRight(cur, " ")+p.endMark(shell))
			cur = indent + "  "
			if p.comment {
				cur = indent + marker + " "
			}
			p.text = strings.TrimLeft(p.text, " ")
			curW, pw = utf8.RuneCountInString(cur), utf8.RuneCountInString(p.text)
		}
		cur += p.text
		curW += pw
	}
	return append(out, strings.TrimRight(cur, " "))
}

// breakKind is what a break before a piece of code needs.
type breakKind int

const (
	breakNone  breakKind = iota // the first piece
	breakSpace                  // at a space: a shell command continues with " \"
	breakJSON                   // inside a quoted JSON argument: a newline is whitespace
)

// codePiece is code between two places a line may break; after says what
// a break before it needs, comment whether it starts inside a comment.
type codePiece struct {
	text    string
	after   breakKind
	comment bool
}

// endMark is what ends the line broken before p: " \" when a shell command
// goes on after a space outside quotes and comments.
func (p codePiece) endMark(shell bool) string {
	if shell && p.after == breakSpace && !p.comment {
		return " \\"
	}
	return ""
}

// codePieces cuts code at the places it may break: before a space outside
// quotes (the space starts the next piece), and in a shell command's
// single-quoted argument after ',', '{' or '[' outside JSON strings.
func codePieces(code string, shell bool, marker string) []codePiece {
	var out []codePiece
	start, kind := 0, breakNone
	var quote byte // the quote the code is inside of, 0 when none
	inJSON, escaped, comment, starts := false, false, false, false
	cut := func(at int, next breakKind) {
		if at > start {
			out = append(out, codePiece{text: code[start:at], after: kind, comment: starts})
			start, kind, starts = at, next, comment
		}
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case escaped:
			escaped = false
		case comment:
			if c == ' ' {
				cut(i, breakSpace)
			}
		case quote == '\'' && shell:
			switch {
			case inJSON && c == '\\':
				escaped = true
			case c == '"':
				inJSON = !inJSON
			case c == '\'':
				quote = 0
			case !inJSON && (c == ',' || c == '{' || c == '['):
				cut(i+1, breakJSON)
			}
		case quote != 0:
			if c == '\\' {
				escaped = true
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '\\':
			escaped = true
		case strings.HasPrefix(code[i:], marker) && (i == 0 || code[i-1] == ' '):
			comment = true // the piece it is in starts before it, as code
		case c == ' ':
			cut(i, breakSpace)
		}
	}
	if start < len(code) {
		out = append(out, codePiece{text: code[start:], after: kind, comment: starts})
	}
	return out
}

// isShell reports whether lang is a shell command or a Dockerfile, whose
// lines go on after a backslash.
func isShell(lang string) bool {
	switch strings.ToLower(lang) {
	case "shell", "sh", "bash", "console", "dockerfile":
		return true
	}
	return false
}

// commentMarker is what starts a comment in lang.
func commentMarker(lang string) string {
	switch strings.ToLower(lang) {
	case "go", "c", "java", "javascript", "js":
		return "//"
	}
	return "#"
}
