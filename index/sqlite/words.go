package sqlite

import (
	"encoding/binary"
	"fmt"

	"github.com/creatorscout/scout/index/memsearch"
)

// Each creator's words are stored (creators.words) for the in-memory index
// to load: name, handle, bio and the distinct folded words of the posts
// (memsearch.DistinctWords), each length-prefixed.

// packText is the stored form of a creator's words.
func packText(name, handle, bio, posts string) []byte {
	return appendText(nil, name, handle, bio, posts)
}

// appendText appends the stored form of a creator's words (packText) to
// dst.
func appendText[T string | []byte](dst []byte, name, handle, bio string, posts T) []byte {
	for _, p := range [...]string{name, handle, bio} {
		dst = binary.AppendUvarint(dst, uint64(len(p)))
		dst = append(dst, p...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(posts)))
	return append(dst, posts...)
}

// unpackText returns the words packText stored; nothing stored (a creator
// whose words were never written) is no words.
func unpackText(packed []byte) (memsearch.Text, error) {
	var parts [4]string
	if len(packed) == 0 {
		return memsearch.Text{}, nil
	}
	raw := packed // what is left to read
	for i := range parts {
		n, k := binary.Uvarint(raw)
		if k <= 0 || uint64(len(raw)-k) < n {
			return memsearch.Text{}, fmt.Errorf("reading words: part %d is cut short", i)
		}
		parts[i] = string(raw[k : k+int(n)])
		raw = raw[k+int(n):]
	}
	if len(raw) > 0 {
		return memsearch.Text{}, fmt.Errorf("reading words: %d bytes after the last part", len(raw))
	}
	return memsearch.Text{Name: parts[0], Handle: parts[1], Bio: parts[2], Posts: parts[3]}, nil
}

// distinctWords returns the distinct folded words of text, space-separated.
func distinctWords(text string) string {
	return string(memsearch.DistinctWords(nil, map[string]struct{}{}, text))
}
