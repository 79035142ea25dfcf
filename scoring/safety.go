package scoring

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// maxPostEvidence caps the per-post evidence items of one kind; the
// snapshot lists every sponsored post.
const maxPostEvidence = 10

// disclosureResult is the sponsorship part of a profile's scoring.
type disclosureResult struct {
	sub         creator.SubScore
	sponsored   []string
	undisclosed []string
	pct         float64 // sponsored share of sampled posts, in percent
}

// isSponsored reports whether a scanned post looks sponsored and whether it
// carries a disclosure.
func isSponsored(ps postScan) (sponsored, disclosed bool) {
	disclosed = ps.flags&cueDisclosure != 0
	sponsored = disclosed || ps.flags&cuePromo != 0 || ps.flags&cueBrandCall != 0 && ps.mentions > 0
	return sponsored, disclosed
}

// scoreDisclosure finds sponsored posts (explicit disclosures, discount
// codes, affiliate links, promoted brand mentions) and whether each is
// disclosed.
func scoreDisclosure(p *creator.Profile, scans []postScan) disclosureResult {
	var r disclosureResult
	s := creator.SubScore{Name: "disclosure"}
	if len(p.Posts) == 0 {
		s.Summary = "No posts were sampled, so sponsorship disclosure was not checked."
		r.sub = s
		return r
	}
	for i, ps := range scans {
		sp, disc := isSponsored(ps)
		if !sp {
			continue
		}
		id := p.Posts[i].ID
		r.sponsored = append(r.sponsored, id)
		if !disc {
			r.undisclosed = append(r.undisclosed, id)
			if len(r.undisclosed) > maxPostEvidence {
				continue
			}
			s.Evidence = append(s.Evidence, creator.Evidence{Signal: "undisclosed_sponsored_post", Value: 1, PostID: id,
				Text: "Post " + id + " promotes something (" + promoWhy(ps) + ") without #ad or a similar disclosure: " + strconv.Quote(truncate(p.Posts[i].Text, 80)) + "."})
		} else if len(r.sponsored)-len(r.undisclosed) <= maxPostEvidence {
			s.Evidence = append(s.Evidence, creator.Evidence{Signal: "disclosed_sponsored_post", Value: 1, PostID: id,
				Text: "Post " + id + " is a disclosed sponsorship."})
		}
	}
	n := len(p.Posts)
	r.pct = 100 * float64(len(r.sponsored)) / float64(n)
	s.Confidence = confidence(float64(n), confPosts)
	if len(r.sponsored) == 0 {
		s.Score = 100
		s.Label = "none"
		s.Summary = "None of " + strconv.Itoa(n) + " sampled posts looks sponsored."
	} else {
		disclosed := len(r.sponsored) - len(r.undisclosed)
		s.Score = round3(100 * float64(disclosed) / float64(len(r.sponsored)))
		s.Label = "disclosed"
		if len(r.undisclosed) > 0 {
			s.Label = "undisclosed"
		}
		verb := "are"
		if disclosed == 1 {
			verb = "is"
		}
		s.Summary = strconv.Itoa(len(r.sponsored)) + " of " + strconv.Itoa(n) + " sampled posts look sponsored (" + decimals(r.pct, 0) + "%); " +
			strconv.Itoa(disclosed) + " of them " + verb + " disclosed."
	}
	s.Evidence = append([]creator.Evidence{{Signal: "sponsored_share", Value: r.pct / 100, SampleSize: n, Text: s.Summary}}, s.Evidence...)
	r.sub = s
	return r
}

func promoWhy(ps postScan) string {
	promo := ps.flags&cuePromo != 0
	call := ps.flags&cueBrandCall != 0 && ps.mentions > 0
	switch {
	case promo && call:
		return "a code, offer or shop link and a promoted @mention"
	case promo:
		return "a code, offer or shop link"
	case call:
		return "a promoted @mention"
	}
	return ""
}

// scoreSafety flags profanity and sensitive topics, each with the post as
// evidence, and platform labels marking adult content.
func scoreSafety(p *creator.Profile, scans []postScan, bioFlags cueFlags, undisclosed int) creator.SubScore {
	s := creator.SubScore{Name: "brand_safety", Score: 100}
	penalty := 0.0
	var flagged []string
	for _, t := range sensitiveTopics {
		count := 0
		for i, ps := range scans {
			if ps.flags&t.flag == 0 {
				continue
			}
			count++
			if count <= 3 {
				s.Evidence = append(s.Evidence, creator.Evidence{Signal: "sensitive_" + strings.ReplaceAll(t.name, " ", "_"), Value: 1,
					PostID: p.Posts[i].ID, Text: "Post " + p.Posts[i].ID + " touches on " + t.name + ": " + strconv.Quote(truncate(p.Posts[i].Text, 80)) + "."})
			}
		}
		if bioFlags&t.flag != 0 {
			count++
			s.Evidence = append(s.Evidence, creator.Evidence{Signal: "sensitive_" + strings.ReplaceAll(t.name, " ", "_"), Value: 1,
				Text: fmt.Sprintf("The bio touches on %s.", t.name)})
		}
		if count > 0 {
			mult := 1.0
			if t.flag == cueAdult {
				mult = 2
			}
			penalty += minF(safetyPenaltyCap*mult, safetyPenaltyPerPost*mult*float64(count))
			flagged = append(flagged, fmt.Sprintf("%s (%d)", t.name, count))
		}
	}
	for _, l := range p.Labels {
		if adultLabels[strings.ToLower(l)] {
			penalty += adultLabelPenalty
			flagged = append(flagged, "platform label "+l)
			s.Evidence = append(s.Evidence, creator.Evidence{Signal: "adult_label", Value: 1, Text: fmt.Sprintf("The platform labels this account %q.", l)})
			break
		}
	}
	if undisclosed > 0 {
		penalty += minF(safetyPenaltyCap, undisclosedPenalty*float64(undisclosed))
	}
	s.Score = round3(clamp(100-penalty, 0, 100))
	s.Confidence = confidence(float64(len(p.Posts)), confPosts)
	if len(p.Posts) == 0 && p.Bio == "" {
		s.Confidence = 0
	}
	switch {
	case s.Score >= 85:
		s.Label = "safe"
	case s.Score >= 60:
		s.Label = "caution"
	default:
		s.Label = "risky"
	}
	if len(flagged) == 0 {
		s.Summary = "No profanity or sensitive topics found in the bio and " + strconv.Itoa(len(p.Posts)) + " sampled posts."
	} else {
		s.Summary = "Flags in the bio and " + strconv.Itoa(len(p.Posts)) + " sampled posts: " + strings.Join(flagged, ", ") + "."
	}
	if undisclosed > 0 {
		if undisclosed == 1 {
			s.Summary += " 1 sponsored post lacks a disclosure."
		} else {
			s.Summary += " " + strconv.Itoa(undisclosed) + " sponsored posts lack a disclosure."
		}
	}
	return s
}

func minF(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}
