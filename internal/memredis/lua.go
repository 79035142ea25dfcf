package memredis

import lua "github.com/yuin/gopher-lua"

// miniredis builds a new Lua state for every script call (asynq runs
// every queue operation as a script). A state's value stack is
// allocated whole at lua.RegistrySize slots, 5,120 by default: 80 KB to
// allocate and clear per call, about a tenth of the bytes an embedded
// crawl allocated. asynq's and our scripts use a few dozen slots; the
// largest use is asynq's archive script unpacking the archived task ids
// that aged out since the last archive into one ZREM. 1,024 slots (16 KB)
// leave room for that; real Redis's own limit is about 8,000.
func init() {
	lua.RegistrySize = 1024
	lua.CallStackSize = 64
}
