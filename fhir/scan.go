package fhir

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// topLevel calls fn with each top-level member of a JSON object: its name
// (valid only during the call) and its value as raw bytes, without decoding
// the values. It expects valid JSON (part of an answer checkValue has
// checked) and stops at the first structural surprise. Reading only
// resourceType, id and meta this way is an order of magnitude cheaper than
// json.Unmarshal over the whole resource, which matters when a sync reads
// tens of thousands of them.
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
// when it has no escapes and is UTF-8 (the usual case, without copying),
// with its escapes replaced when they are all of one character (a weak ETag,
// W/\"3\", in every entry of a batch answer), else decoded as encoding/json
// decodes it.
func unquote(s []byte) ([]byte, error) {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && utf8.Valid(s) {
		inner := s[1 : len(s)-1]
		if bytes.IndexByte(inner, '\\') < 0 {
			return inner, nil
		}
		if text, ok := unescapeShort(inner); ok {
			return text, nil
		}
	}
	var text string
	if err := json.Unmarshal(s, &text); err != nil {
		return nil, err
	}
	return []byte(text), nil
}

// unescapeShort replaces the one-character escapes of a JSON string's
// inside; ok is false when it holds anything else to decode or refuse (a
// \u escape, a control character, a bare quote, a dangling backslash).
func unescapeShort(in []byte) (text []byte, ok bool) {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c < 0x20 || c == '"':
			return nil, false
		case c != '\\':
			out = append(out, c)
			continue
		}
		if i++; i == len(in) {
			return nil, false
		}
		switch in[i] {
		case '"', '\\', '/':
			out = append(out, in[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		default:
			return nil, false
		}
	}
	return out, true
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

// maxDepth is how deeply checkValue lets arrays and objects nest, as
// encoding/json does: deeper JSON is refused rather than overflowing.
const maxDepth = 10000

// checkValue returns the index after the JSON value starting at b[i] (after
// any space), or -1 when there is none or it is not valid JSON. It accepts
// exactly what encoding/json's Valid accepts, bytes that are not UTF-8
// included (lenient decoding reads them). It reads typical SDOH resources
// at ~1.8 GB/s here, where unmarshal reads a Bundle at ~0.65 GB/s: answers
// are checked with it once, then sliced and read in parts without checking
// again.
func checkValue(b []byte, i, depth int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return checkString(b, i)
	case c == '{':
		return scanObject(b, i, depth, func(_ []byte, at int) int { return checkValue(b, at, depth+1) })
	case c == '[':
		return scanArray(b, i, depth, func(at int) int { return checkValue(b, at, depth+1) })
	case c == 't':
		return checkLiteral(b, i, "true")
	case c == 'f':
		return checkLiteral(b, i, "false")
	case c == 'n':
		return checkLiteral(b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return checkNumber(b, i)
	}
	return -1
}

// plainInString marks the bytes a JSON string holds as they are: all but
// the quote, the backslash and control characters.
var plainInString = func() (plain [256]bool) {
	for c := 0x20; c < 256; c++ {
		plain[c] = c != '"' && c != '\\'
	}
	return plain
}()

// checkString returns the index after the JSON string starting at
// b[i] == '"', or -1 when it is not valid.
func checkString(b []byte, i int) int {
	i++
	for {
		for i+8 <= len(b) && !holdsSpecial(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && plainInString[b[i]] {
			i++
		}
		if i >= len(b) {
			return -1
		}
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			if i+1 >= len(b) {
				return -1
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return -1
				}
				i += 6
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
}

// holdsSpecial reports whether any of the eight bytes in x is one a JSON
// string does not hold as it is: a quote, a backslash or a control
// character. Each term below sets a byte's high bit where that byte is
// below 0x20, 0x22 or 0x5C (x minus 0x20, or 0 after the xor, borrows);
// & ^x drops the bytes 0x80 and up. A borrow can mark a higher byte
// wrongly only after a byte that is marked rightly, so the answer is
// exact. Most strings a FHIR server sends run to tens of bytes (systems,
// displays, references): read eight at a time, they check ~30 % faster.
func holdsSpecial(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(ones*'"'), x^(ones*'\\')
	return ((x-ones*0x20)|(quote-ones)|(backslash-ones))&^x&highs != 0
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func checkLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// checkNumber returns the index after the JSON number starting at b[i], or -1.
func checkNumber(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = skipDigits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// scanObject reads the JSON object at data[at:] (after any space) at the
// given depth, calling member with each member's name as it stands in the
// JSON, quotes and escapes included (unquote reads it), and the index its
// value starts at; member returns the index after the value, or -1 when it
// is not valid. scanObject returns the index after the object, or -1.
func scanObject(data []byte, at, depth int, member func(name []byte, at int) int) int {
	i := skipSpace(data, at)
	if i >= len(data) || data[i] != '{' || depth >= maxDepth {
		return -1
	}
	if i = skipSpace(data, i+1); i < len(data) && data[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return -1
		}
		end := checkString(data, i)
		if end < 0 {
			return -1
		}
		name := data[i:end]
		if i = skipSpace(data, end); i >= len(data) || data[i] != ':' {
			return -1
		}
		if i = member(name, i+1); i < 0 {
			return -1
		}
		if i = skipSpace(data, i); i >= len(data) {
			return -1
		}
		if data[i] == '}' {
			return i + 1
		}
		if data[i] != ',' {
			return -1
		}
		i = skipSpace(data, i+1)
	}
}

// scanArray is scanObject for a JSON array: element reads each element.
func scanArray(data []byte, at, depth int, element func(at int) int) int {
	i := skipSpace(data, at)
	if i >= len(data) || data[i] != '[' || depth >= maxDepth {
		return -1
	}
	if i = skipSpace(data, i+1); i < len(data) && data[i] == ']' {
		return i + 1
	}
	for {
		if i = element(i); i < 0 {
			return -1
		}
		if i = skipSpace(data, i); i >= len(data) {
			return -1
		}
		if data[i] == ']' {
			return i + 1
		}
		if data[i] != ',' {
			return -1
		}
		i++
	}
}

// checkResource is checkValue for one resource: it returns the index after
// the JSON value at b[i] (after any space), or -1 when it is not valid
// JSON, and also the first member name that one object in it, at any
// depth, gives twice, as a decoder reads names (escapes decoded, so "id"
// and "\u0069d" are one name); dup is "" when none does. RFC 8259 (§4)
// leaves such an object to each reader, and readers differ (encoding/json
// keeps the last value; parseValidResource stopped at the third member it
// knew): a Task that gave "id" twice was read without its meta.versionId,
// and its next update went out without If-Match. Noting names in the same pass as the check takes ~1.9 ms
// for the resources of a 1.3 MB search page where checkValue takes ~1.3 ms
// here; a pass of its own took ~1.7 ms more. A 10 000-referral sync's CPU
// did not change beyond its noise (0.88-1.01 s, three runs before and after).
func checkResource(b []byte, i, depth int) (end int, dup string) {
	var m openNames
	end = m.value(b, i, depth)
	return end, m.dup
}

// openNames holds the member names of the objects checkResource is in,
// innermost last: one array for a whole resource, as zeroing one for each
// object (a Coding, a Reference) cost more than comparing the names.
type openNames struct {
	kept [64][]byte
	n    int
	dup  string // the first name an object gave twice
}

// manyMembers is how many names an object's new member name is compared
// with one by one; past it a map takes over, so that no object costs more
// than linear time (a platform's object may have thousands of members).
const manyMembers = 32

// value is checkValue, noting the member names of the objects in the value.
func (m *openNames) value(b []byte, i, depth int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '{':
		return m.object(b, i, depth)
	case '[':
		return scanArray(b, i, depth, func(at int) int { return m.value(b, at, depth+1) })
	}
	return checkValue(b, i, depth)
}

// object is value for the object at b[i].
func (m *openNames) object(b []byte, i, depth int) int {
	start := m.n
	var set map[string]struct{} // its names, once too many to compare one by one
	end := scanObject(b, i, depth, func(quoted []byte, at int) int {
		if m.dup != "" {
			return m.value(b, at, depth+1)
		}
		name := memberText(quoted)
		if set == nil && m.n-start < manyMembers && m.n < len(m.kept) {
			for _, n := range m.kept[start:m.n] {
				if bytes.Equal(n, name) {
					m.dup = string(name)
				}
			}
			m.kept[m.n] = name
			m.n++
		} else {
			if set == nil {
				set = make(map[string]struct{}, 2*manyMembers)
				for _, n := range m.kept[start:m.n] {
					set[string(n)] = struct{}{}
				}
				m.n = start
			}
			if _, seen := set[string(name)]; seen {
				m.dup = string(name)
			}
			set[string(name)] = struct{}{}
		}
		return m.value(b, at, depth+1)
	})
	m.n = start
	return end
}

// memberText is unquote for a member name scanObject has checked: most are
// short and plain ASCII, whose text is their inside, which a loop finds
// sooner than unquote's calls.
func memberText(quoted []byte) []byte {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c == '\\' || c >= utf8.RuneSelf {
			text, _ := unquote(quoted) // a checked string always decodes
			return text
		}
	}
	return inner
}
