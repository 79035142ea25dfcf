package memredis

import lua "github.com/yuin/gopher-lua"

// miniredis builds a new Lua state for every script call (asynq runs
// every queue operation as a script), each with a call stack of
// lua.CallStackSize frames allocated whole. asynq's and our scripts nest a
// few calls deep, so 64 frames are plenty. The value stack
// (lua.RegistrySize) keeps gopher-lua's default, 5,120 slots: miniredis's
// states cannot grow it, and asynq's archive script unpacks every archived
// task id that aged out since the last archive into one ZREM.
//
// This sets a package variable of gopher-lua for the whole process; the
// only user of gopher-lua in scout is miniredis.
func init() {
	lua.CallStackSize = 64
}
