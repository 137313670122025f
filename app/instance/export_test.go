package instance

import "runtime"

// ExpectUser makes in hear only uid, and reports whether this system says
// who connects at all (only then can the test play another user).
func ExpectUser(in *Instance, uid int) bool {
	in.uid = uid
	return runtime.GOOS == "linux"
}
