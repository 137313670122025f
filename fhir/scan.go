package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
)

// topLevel calls fn with each top-level member of a JSON object: its name
// (valid only during the call) and its value as raw bytes, without decoding
// the values. It expects valid JSON (a
// response body already checked by encoding/json) and stops at the first
// structural surprise. Reading only resourceType, id and meta this way is an
// order of magnitude cheaper than json.Unmarshal over the whole resource,
// which matters when a sync reads tens of thousands of them.
func topLevel(b []byte, fn func(name, value []byte) bool) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errors.New("not a JSON object")
	}
	i++
	for {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == '}' {
			return nil
		}
		if i >= len(b) || b[i] != '"' {
			return errors.New("bad JSON object")
		}
		end := skipString(b, i)
		if end < 0 {
			return errors.New("bad JSON string")
		}
		name, err := unquote(b[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errors.New("bad JSON object")
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend < 0 {
			return errors.New("bad JSON value")
		}
		if !fn(name, b[i:vend]) {
			return nil
		}
		i = skipSpace(b, vend)
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
}

// unquote returns the text of a JSON string: the bytes between its quotes
// when it has no escapes (the usual case, without copying), else decoded.
func unquote(s []byte) ([]byte, error) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && bytes.IndexByte(s, '\\') < 0 {
		return s[1 : len(s)-1], nil
	}
	var text string
	if err := json.Unmarshal(s, &text); err != nil {
		return nil, err
	}
	return []byte(text), nil
}

// readString sets *dst to the text of the JSON string s.
func readString(s []byte, dst *string) error {
	text, err := unquote(s)
	if err != nil {
		return err
	}
	*dst = string(text)
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"', or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skipValue returns the index after the value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j)
				if j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	return j
}
