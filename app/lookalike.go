package app

import (
	"strings"
	"unicode"
)

// checkHostScripts refuses server names made to look like another: a label
// mixing scripts ("pаypal" with a Cyrillic а), or written wholly in Cyrillic
// or Greek letters that all look Latin ("аррӏе") under a Latin top-level
// domain. The rules follow Unicode TS #39's "highly restrictive" level, as
// browsers do; CheckLink applies them to every server name a link names. An
// IDN in one script (bücher.example, пример.рф) is fine.
func checkHostScripts(l Link) error {
	if !l.IDN() {
		return nil
	}
	labels := strings.Split(l.Host, ".")
	tld := labels[len(labels)-1]
	for _, label := range labels {
		scripts := labelScripts(label)
		if !allowedMix(scripts) {
			return &Error{Op: "check link", Kind: KindUnsafe, Reason: reasonMixedScripts, List: scriptNames(scripts), Host: l.ASCIIHost}
		}
		if label != tld && wholeScriptLookalike(label) && isASCII(tld) {
			return &Error{Op: "check link", Kind: KindUnsafe, Reason: reasonLookalikeScript, Host: l.ASCIIHost}
		}
	}
	return nil
}

// scriptTables are the scripts a host label is checked against; letters of
// any other script count under their own name through unicode.Scripts.
var scriptTables = unicode.Scripts

// labelScripts is the set of scripts in a label, leaving out Common and
// Inherited (digits, hyphen, combining marks).
func labelScripts(label string) map[string]bool {
	set := map[string]bool{}
	for _, r := range label {
		if r < 0x80 {
			if unicode.IsLetter(r) {
				set["Latin"] = true
			}
			continue
		}
		for name, table := range scriptTables {
			if name != "Common" && name != "Inherited" && unicode.Is(table, r) {
				set[name] = true
				break
			}
		}
	}
	return set
}

// allowedMix: one script, or Latin with the scripts Japanese, Chinese and
// Korean are written in together (TS #39 "highly restrictive").
func allowedMix(scripts map[string]bool) bool {
	if len(scripts) <= 1 {
		return true
	}
	for _, ok := range []map[string]bool{
		{"Latin": true, "Han": true, "Hiragana": true, "Katakana": true},
		{"Latin": true, "Han": true, "Bopomofo": true},
		{"Latin": true, "Han": true, "Hangul": true},
	} {
		all := true
		for s := range scripts {
			all = all && ok[s]
		}
		if all {
			return true
		}
	}
	return false
}

func scriptNames(scripts map[string]bool) []string {
	var names []string
	for _, n := range []string{"Latin", "Cyrillic", "Greek", "Armenian", "Cherokee"} {
		if scripts[n] {
			names = append(names, n)
			delete(scripts, n)
		}
	}
	for n := range scripts {
		names = append(names, n)
	}
	return names
}

// latinLookalikes are Cyrillic and Greek lower-case letters that render like
// Latin ones in common fonts (Chromium's IDN spoof checker uses a similar list).
const latinLookalikes = "аԁеһіјӏорԛѕԝхуъьҽпгѵѡԍуҳаəіοαρντικυεχ"

// wholeScriptLookalike reports a label of Cyrillic or Greek letters that all
// look Latin: shown in a Latin domain, it reads as an English name.
func wholeScriptLookalike(label string) bool {
	letters := 0
	for _, r := range label {
		if r < 0x80 {
			if unicode.IsLetter(r) {
				return false
			}
			continue
		}
		if !strings.ContainsRune(latinLookalikes, unicode.ToLower(r)) {
			return false
		}
		letters++
	}
	return letters > 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
