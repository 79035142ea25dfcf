package creator

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxKeyLen is the longest key Key returns: Meilisearch's limit on a
// document id.
const MaxKeyLen = 511

// Key returns the store key of the creator r refers to: a string of
// [A-Za-z0-9_-] of at most MaxKeyLen bytes, valid as a Meilisearch document
// id. It depends only on r.Platform and r.ID (never on the handle), so it is
// stable across renames, and distinct (platform, id) pairs give distinct keys.
//
// The form is "<platform>-<escaped id>" (the platform ASCII-lower-cased
// and escaped the same way, hashed if over 128 bytes): ASCII letters and digits stand for
// themselves, '_' becomes "__" and every other byte "_XX" (upper-case hex),
// so the escaping is injective and the escaped id holds no '-'. An id whose
// escaped form would make the key too long is replaced by
// "<platform>--<sha256 hex of the id>", which no escaped id can produce.
//
// Key is safe for concurrent use.
func Key(r Ref) string {
	return KeyOf(r.Platform, r.ID)
}

// KeyOf is Key for a platform name and a platform-native id.
func KeyOf(platform, id string) string {
	p := escapeKeyPart(asciiLower(platform))
	if len(p) > maxPlatformLen {
		// Not a platform this project registers; keep the key valid.
		// "_z" starts no escape, so this cannot equal an escaped name.
		sum := sha256.Sum256([]byte(asciiLower(platform)))
		p = "_z" + hex.EncodeToString(sum[:16])
	}
	esc := escapeKeyPart(id)
	if len(p)+1+len(esc) <= MaxKeyLen {
		return p + "-" + esc
	}
	sum := sha256.Sum256([]byte(id))
	return p + "--" + hex.EncodeToString(sum[:])
}

// maxPlatformLen bounds the escaped platform part, leaving room for a
// hashed id within MaxKeyLen.
const maxPlatformLen = 128

// asciiLower folds ASCII letters only: strings.ToLower would turn invalid
// UTF-8 into U+FFFD and merge distinct inputs.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func escapeKeyPart(s string) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '_':
			b.WriteString("__")
		default:
			b.WriteByte('_')
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&0xF])
		}
	}
	return b.String()
}

// ValidKey reports whether k has the form of a store key: non-empty, at most
// MaxKeyLen bytes of [A-Za-z0-9_-].
func ValidKey(k string) bool {
	if k == "" || len(k) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
