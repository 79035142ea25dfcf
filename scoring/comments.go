package scoring

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/creatorscout/scout/creator"
)

// genericComments are normalised comment texts (folded, letters, digits and
// single spaces only) that say nothing about the post: the generic praise
// and spam that engagement pods and bot services leave. Compiled from the
// examples audit tools publish (HypeAuditor, Modash, "comment quality"
// guides); English only.
var genericComments = map[string]bool{}

// maxGenericLen is the length of the longest entry of genericComments;
// longer comments are not looked up.
var maxGenericLen int

func init() {
	for _, s := range []string{
		"nice", "nice pic", "nice post", "nice photo", "nice shot", "nice one", "nice feed", "very nice",
		"so nice", "great", "great post", "great pic", "great photo", "great shot", "great job",
		"great content", "great work", "good", "good job", "good post", "cool", "so cool", "very cool",
		"awesome", "awesome post", "awesome pic", "amazing", "amazing post", "amazing pic", "amazing content",
		"so amazing", "beautiful", "so beautiful", "beautiful pic", "gorgeous", "stunning", "wonderful",
		"perfect", "love it", "love this", "love this post", "love your content", "love your feed",
		"love your page", "i love it", "i love this", "wow", "wow amazing", "woww", "wowww", "omg", "yes",
		"yess", "yass", "yasss", "fire", "lit", "so good", "well done", "keep it up", "keep going",
		"keep up the good work", "congrats", "congratulations", "cute", "so cute", "lovely", "super",
		"best", "the best", "goals", "incredible", "this", "this is it", "100", "first", "hi", "hello",
		"dm me", "check dm", "check your dm", "check your dms", "dm us", "dm for collab", "collab",
		"collab dm", "promote it on", "send pic to", "follow me", "follow back", "follow for follow",
		"f4f", "l4l", "like for like", "nice content", "great feed", "keep shining", "inspiring",
		"so inspiring", "love", "loved it", "awesome content", "on point", "slay", "queen", "king",
		"legend", "goat", "facts", "true", "same", "mood", "agreed", "wow nice", "nice work",
	} {
		genericComments[s] = true
		maxGenericLen = max(maxGenericLen, len(s))
	}
}

// asciiFold maps ASCII letters and digits to their lower-case form and
// everything else to 0.
var asciiFold = func() (t [128]byte) {
	for c := byte('a'); c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = c, c
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	return t
}()

// normComment folds a comment to lower-case letters and digits separated by
// single spaces, appending to dst; letters reports whether it held any
// letter or digit (an emoji-only comment holds none).
func normComment(dst []byte, s string) (out []byte, letters bool) {
	space := false
	// ASCII bytes are written by index into buf[:n]: each output byte
	// stands for at least one input byte, so room for the rest of s is
	// enough; non-ASCII runes go through append and the room is renewed.
	dst = slices.Grow(dst, len(s))
	buf, n := dst[:cap(dst)], len(dst)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x80 {
			if l := asciiFold[c]; l != 0 {
				if space && n > 0 {
					buf[n] = ' '
					n++
				}
				space = false
				buf[n] = l
				n++
				letters = true
			} else {
				space = true
			}
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w - 1
		if isWordRune(r) {
			dst = buf[:n]
			if space && n > 0 {
				dst = append(dst, ' ')
			}
			space = false
			dst = appendFolded(dst, r)
			letters = true
			dst = slices.Grow(dst, len(s)-i)
			buf, n = dst[:cap(dst)], len(dst)
			continue
		}
		space = true
	}
	return buf[:n], letters
}

// emojiKey reduces an emoji-only comment to its symbols, without spaces or
// variation selectors, so "🔥🔥" and "🔥 🔥" are the same comment.
func emojiKey(dst []byte, s string) []byte {
	for _, r := range s {
		if unicode.IsSpace(r) || r == 0xFE0F || r == 0x200D {
			continue
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// commentResult is the comment-quality part of a profile's scoring.
type commentResult struct {
	sub                               creator.SubScore
	n                                 int
	genericShare, dupShare, diversity float64
	pod                               bool
	podMembers                        int
}

type textInfo struct {
	post  int32
	multi bool
}

// commentScratch holds scoreComments' maps and buffers between calls.
type commentScratch struct {
	textIdx     hashIndex // by maphash of the normalised text
	postIdx     strIndex
	authorIdx   strIndex
	authorMask  []uint64 // by authorIdx
	infos       []textInfo
	commentText []int32
	buf         []byte
}

var commentSeed = maphash.MakeSeed()

var commentScratchPool = sync.Pool{New: func() any {
	return new(commentScratch)
}}

func (sc *commentScratch) release() {
	sc.postIdx.release()
	sc.authorIdx.release()
	commentScratchPool.Put(sc)
}

// scoreComments rates the replies sampled on a creator's posts. Pods are
// looked for among the first 64 posts that have comments.
func scoreComments(p *creator.Profile) commentResult {
	var r commentResult
	s := creator.SubScore{Name: "comments"}
	cs := p.Comments
	owner := p.Ref.ID
	sc := commentScratchPool.Get().(*commentScratch)
	defer sc.release()
	textIdx, postIdx, authorIdx := &sc.textIdx, &sc.postIdx, &sc.authorIdx
	textIdx.reset(len(cs))
	postIdx.reset(len(cs))
	authorIdx.reset(len(cs))
	authorMask := sc.authorMask[:0]
	defer func() { sc.authorMask = authorMask[:0] }()
	infos := sc.infos[:0]
	commentText := sc.commentText[:0] // per counted comment, its text index or -1
	defer func() { sc.infos, sc.commentText = infos[:0], commentText[:0] }()
	var generic, emoji int
	buf := sc.buf[:0]
	defer func() { sc.buf = buf[:0] }()
	genericExample, dupExample := -1, -1
	var lastPost int32
	lastPostAt, havePost := 0, false
	for i := range cs {
		c := &cs[i]
		if owner != "" && c.Author.ID == owner {
			continue // the creator's own replies
		}
		r.n++
		// Comments usually come grouped by post: reuse the last index.
		pi := lastPost
		if !havePost || c.PostID != cs[lastPostAt].PostID {
			pi, _ = postIdx.index(c.PostID)
			lastPost, lastPostAt, havePost = pi, i, true
		}
		var letters bool
		buf, letters = normComment(buf[:0], c.Text)
		isGeneric := false
		if !letters {
			buf = emojiKey(buf[:0], c.Text)
			isGeneric = true
			emoji++
		} else if len(buf) <= maxGenericLen && genericComments[string(buf)] {
			isGeneric = true
		}
		if isGeneric {
			generic++
			if genericExample < 0 {
				genericExample = i
			}
		}
		ti := int32(-1)
		if len(buf) > 0 {
			// A 64-bit hash stands for the text: collisions are negligible
			// at comment-sample sizes and no string is allocated.
			h := maphash.Bytes(commentSeed, buf)
			var added bool
			ti, added = textIdx.index(h)
			if added {
				infos = append(infos, textInfo{post: pi})
			} else if infos[ti].post != pi {
				infos[ti].multi = true
			}
		}
		commentText = append(commentText, ti)
		a := c.Author.ID
		if a == "" {
			a = c.Author.Handle
		}
		if a != "" {
			var bit uint64
			if pi < 64 {
				bit = 1 << uint(pi)
			}
			ai, added := authorIdx.index(a)
			if added {
				authorMask = append(authorMask, 0)
			}
			authorMask[ai] |= bit
		}
	}
	if r.n == 0 {
		s.Summary = "No comments from other accounts were sampled, so comment quality was not rated."
		r.sub = s
		return r
	}
	dups := 0
	j := 0
	for i := range cs {
		if owner != "" && cs[i].Author.ID == owner {
			continue
		}
		if ti := commentText[j]; ti >= 0 && infos[ti].multi {
			dups++
			if dupExample < 0 {
				dupExample = i
			}
		}
		j++
	}
	n := float64(r.n)
	r.genericShare = float64(generic) / n
	r.dupShare = float64(dups) / n
	distinct := authorIdx.len()
	if distinct > 0 {
		r.diversity = float64(distinct) / n
	} else {
		r.diversity = 1 // authors unknown: no evidence of low diversity
	}
	// Pods: a few accounts commenting on most posts.
	np := min(postIdx.len(), 64)
	var members []string
	memberComments := 0
	if np >= podMinPosts {
		for ai, m := range authorMask {
			if float64(bits.OnesCount64(m)) >= podPostShare*float64(np) {
				members = append(members, authorIdx.keys[ai])
			}
		}
		sort.Strings(members)
		if len(members) >= podMinMembers {
			for i := range cs {
				if owner != "" && cs[i].Author.ID == owner {
					continue
				}
				a := cs[i].Author.ID
				if a == "" {
					a = cs[i].Author.Handle
				}
				var m uint64
				if ai := authorIdx.lookup(a); ai >= 0 {
					m = authorMask[ai]
				}
				if float64(bits.OnesCount64(m)) >= podPostShare*float64(np) {
					memberComments++
				}
			}
			r.pod = float64(memberComments) >= podMinCommentShare*n
		}
	}
	r.podMembers = len(members)
	score := 100 - commentGenericPenalty*r.genericShare - commentDuplicatePenalty*r.dupShare
	if r.diversity < commentDiversityFloor {
		score -= commentDiversityPenalty * (commentDiversityFloor - r.diversity)
	}
	if r.pod {
		score -= commentPodPenalty
	}
	s.Score = round3(clamp(score, 0, 100))
	s.Confidence = confidence(n, confComments)
	switch {
	case s.Score >= 75:
		s.Label = "genuine"
	case s.Score >= 50:
		s.Label = "mixed"
	default:
		s.Label = "low quality"
	}
	s.Summary = pct(r.genericShare) + " of " + strconv.Itoa(r.n) + " sampled comments are generic or emoji-only and " + pct(r.dupShare) + " are repeated across posts."
	genText := pct(r.genericShare) + " of " + strconv.Itoa(r.n) + " sampled comments are generic praise or emoji-only (" + strconv.Itoa(emoji) + " emoji-only)."
	if genericExample >= 0 {
		genText += " Example: " + strconv.Quote(truncate(cs[genericExample].Text, 60)) + "."
	}
	dupText := pct(r.dupShare) + " of comments repeat the same text on different posts."
	if dupExample >= 0 {
		dupText += " Example: " + strconv.Quote(truncate(cs[dupExample].Text, 60)) + "."
	}
	s.Evidence = append(s.Evidence,
		creator.Evidence{Signal: "generic_share", Value: r.genericShare, SampleSize: r.n, Text: genText},
		creator.Evidence{Signal: "duplicate_share", Value: r.dupShare, SampleSize: r.n, Text: dupText},
		creator.Evidence{Signal: "commenter_diversity", Value: round3(r.diversity), SampleSize: r.n,
			Text: strconv.Itoa(distinct) + " distinct commenters wrote " + strconv.Itoa(r.n) + " comments."},
	)
	if r.pod {
		s.Evidence = append(s.Evidence, creator.Evidence{Signal: "pod", Value: float64(len(members)), SampleSize: np,
			Text: fmt.Sprintf("The same %d accounts comment on at least %s of the %d posts with comments, writing %d of %d comments: an engagement pod.",
				len(members), pct(podPostShare), np, memberComments, r.n)})
	}
	r.sub = s
	return r
}

func truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	if utf8.ValidString(s) {
		// Valid UTF-8 converts to runes and back unchanged: cut in place.
		i := 0
		for k := 0; k < n; k++ {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
		return s[:i] + "…"
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
