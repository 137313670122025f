package fhirtest

import "strings"

// ChangedElements lists the top-level elements (as "x", not "Task.x") that
// differ between two versions of a resource, leaving out those in ignore.
// Tests use it to prove an update changed only what it was allowed to.
func ChangedElements(before, after []byte, ignore ...string) ([]string, error) {
	old, err := decodeObject(before)
	if err != nil {
		return nil, err
	}
	cur, err := decodeObject(after)
	if err != nil {
		return nil, err
	}
	changed := changedElements(old, cur, ignore)
	for i, c := range changed {
		changed[i] = strings.TrimPrefix(c, "Task.")
	}
	return changed, nil
}
