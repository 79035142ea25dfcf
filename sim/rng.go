package sim

import (
	"hash/fnv"
	"math"
)

// rng is a small deterministic generator (splitmix64). Every random choice
// the simulator makes comes from an rng seeded by a hash of the world seed
// and the identity of the thing being generated (creator, day, post, ...),
// so any piece can be regenerated alone and always comes out the same.
type rng struct{ s uint64 }

func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// seeded returns an rng for the given identity.
func seeded(parts ...uint64) *rng {
	h := uint64(0x243f6a8885a308d3)
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return &rng{s: h}
}

func strHash(s string) uint64 {
	f := fnv.New64a()
	f.Write([]byte(s))
	return f.Sum64()
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a number in [0, n); n must be > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal number (Box-Muller).
func (r *rng) norm() float64 {
	u1 := r.float()
	if u1 < 1e-300 {
		u1 = 1e-300
	}
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*r.float())
}

// lognorm returns exp(N(mu, sigma)).
func (r *rng) lognorm(mu, sigma float64) float64 { return math.Exp(mu + sigma*r.norm()) }

// poisson returns a Poisson number with mean lambda.
func (r *rng) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		n := int(math.Round(lambda + math.Sqrt(lambda)*r.norm()))
		return max(n, 0)
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.float()
		if p <= l {
			return k
		}
		k++
	}
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }
