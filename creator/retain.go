package creator

// Retain cuts p's samples down to what a stored record keeps once s has
// been computed from them: the first StoredComments comments, and of the
// audience only the accounts s's evidence names. The scores keep every
// figure the whole sample gave (how many were read, the fake share, the
// generic share), so nothing a marketer reads is lost; what goes is the
// profiles of people who are not the creator, which the product does not
// show and has no reason to keep, and most of a record's bytes (a crawl of
// 100 followers and 80 replies stored about 110 KB of JSON, 85% of it
// these two samples).
func Retain(p *Profile, s *Scores) {
	if len(p.Comments) > StoredComments {
		p.Comments = append([]Comment(nil), p.Comments[:StoredComments]...)
	}
	if len(p.Audience) == 0 {
		return
	}
	named := map[string]bool{}
	for i := range s.Details {
		for _, e := range s.Details[i].Evidence {
			if e.AccountID != "" {
				named[e.AccountID] = true
			}
		}
	}
	var kept []Account
	for _, a := range p.Audience {
		if named[a.ID] {
			kept = append(kept, a)
		}
	}
	p.Audience = kept
}

// Trimmed reports whether p holds fewer followers or replies than its
// Sample says were read: a stored record after Retain. Its audience and
// comment scores cannot be computed again from it.
func (p *Profile) Trimmed() bool {
	s := p.Sample
	return s != nil && (len(p.Audience) < s.Followers || len(p.Comments) < s.Comments)
}
