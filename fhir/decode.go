package fhir

// Decode reads a typed view of JSON that is not a resource read by Parse
// (an OperationOutcome, a resource a test builds). A value of an unexpected
// shape in a member T declares fails the whole decode.
func Decode[T any](raw []byte) (T, error) {
	var v T
	err := unmarshal(raw, &v)
	return v, err
}
