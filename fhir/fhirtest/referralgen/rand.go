package referralgen

// rnd is a splitmix64 generator. It is written out here rather than taken from
// math/rand so that the demo data is the same bytes on every Go release: the
// standard library keeps the right to change how IntN and friends map bits to
// numbers, and a demo whose referrals change names after a toolchain upgrade
// would confuse anyone comparing screenshots or stored databases.
type rnd struct{ state uint64 }

// Each aspect of a referral is drawn from its own stream. A Spec override
// then changes only what it overrides (forcing a status does not give the
// referral a different person or need), and the patient of referral i can be
// drawn without generating the rest of referral i when a later referral
// reuses that patient.
const (
	streamPatientLink uint64 = iota + 1 // does referral i reuse an earlier patient?
	streamPatient                       // the patient introduced by referral i
	streamOwner
	streamStatus
	streamPriority
	streamContact // do-not-contact
	streamConsent
	streamNeed // category, service, conditions, goal
	streamRequester
	streamNotes
	streamDates
	streamReason  // statusReason
	streamExtras  // Task.input additional content
	streamContent // content-rich referrals (IG 3.0.0): whether, and their screening and letter
)

func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// newRnd derives the generator for (seed, i, stream); no state is shared
// between referrals, which is what makes Referral(i) independent of call order.
func newRnd(seed int64, i int, stream uint64) rnd {
	return rnd{state: mix64(mix64(mix64(uint64(seed))^uint64(i)) ^ mix64(stream))}
}

func (r *rnd) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n). The modulo bias is below 2^-40 for the
// small n used here.
func (r *rnd) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// permille reports true with probability p/1000.
func (r *rnd) permille(p int) bool { return r.intn(1000) < p }

func pick[T any](r *rnd, xs []T) T { return xs[r.intn(len(xs))] }

// weighted returns an index into weights, chosen in proportion to the weights.
func weighted(r *rnd, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	return band(r.intn(total), weights)
}

// band maps a draw in [0, sum(weights)) to the index of its band.
func band(draw int, weights []int) int {
	for i, w := range weights {
		if draw < w {
			return i
		}
		draw -= w
	}
	return len(weights) - 1
}
