package scoring

import "strings"

// cueFlags marks the disclosure, promotion and safety cues an n-gram
// carries. Cues live in the same lexicon as niche terms so one pass over a
// post's tokens finds both.
type cueFlags uint32

const (
	// cueDisclosure is an explicit sponsorship disclosure (#ad, "paid
	// partnership", #werbung).
	cueDisclosure cueFlags = 1 << iota
	// cuePromo is a commercial cue on its own (a discount code, "20% off",
	// an affiliate link).
	cuePromo
	// cueBrandCall is a phrase that promotes a mentioned account ("thanks
	// to", "partnered with"); it counts only with an @mention in the post.
	cueBrandCall
	cueProfanity
	cueGambling
	cueAlcohol
	cueDrugs
	cueTobacco
	cueWeapons
	cueAdult
	cueViolence
)

// sensitiveTopics names the safety cue flags, in the order evidence lists them.
var sensitiveTopics = []struct {
	flag cueFlags
	name string
}{
	{cueProfanity, "profanity"},
	{cueAdult, "adult content"},
	{cueViolence, "violence"},
	{cueWeapons, "weapons"},
	{cueDrugs, "drugs"},
	{cueGambling, "gambling"},
	{cueAlcohol, "alcohol"},
	{cueTobacco, "tobacco or vaping"},
}

// cueLexicon lists the cue terms. A term starting with '#' matches only a
// whole hashtag; other terms match words (and hashtag parts) after folding
// and stemming, like niche terms.
//
// Disclosure forms follow the FTC's "Disclosures 101 for Social Media
// Influencers" (2019, #ad, #sponsored, "paid partnership", "thanks [brand]"
// is not enough), the UK ASA/CMA influencer guidance (#ad upfront, #gifted),
// and the German Medienstaatsvertrag practice (#werbung, #anzeige); French
// #sponsorise/#publicite, Spanish #publi/#publicidad, Italian
// #pubblicita, Dutch #reclame, Portuguese #publicidade.
var cueLexicon = []struct {
	flag  cueFlags
	terms []string
}{
	{cueDisclosure | cuePromo, []string{
		"#ad", "#ads", "#advert", "#advertisement", "#sponsored", "#sponsor", "#spon",
		"#paidpartnership", "#paidpartner", "#partner", "#partnership", "#brandpartner",
		"#ambassador", "#brandambassador", "#affiliate", "#affiliatelink", "#gifted", "#giftedby",
		"#prgift", "#werbung", "#anzeige", "#unbezahltewerbung", "#reklame", "#sponsorise",
		"#sponsorisé", "#publicite", "#publicité", "#partenariat", "#publi", "#publicidad",
		"#patrocinado", "#pubblicita", "#pubblicità", "#reclame", "#publicidade", "#samenwerking",
		"paid partnership", "sponsored by", "sponsored post", "this post is sponsored",
		"in paid partnership", "affiliate link", "affiliate links", "gifted by",
		"advertisement", "i earn a commission", "commission earned", "sponsor", "paid for this post",
		"paid for this video", "anzeige", "werbung",
	}},
	{cuePromo, []string{
		"use code", "use my code", "with code", "my code", "discount code", "promo code",
		"coupon code", "coupon", "1% off", "save 1%", "link in bio", "link in my bio",
		"shop my", "shop the look", "shop now", "swipe up", "amzn to", "amazon storefront",
		"liketoknow", "ltk", "shopltk", "rstyle", "giveaway", "free shipping", "get yours",
		"available now at", "order now", "limited drop", "#giveaway", "#promo", "#discount",
		"#code", "#linkinbio", "#ltkunder50", "discount", "grab yours", "get yours with",
		"affiliate", "shop link", "limited time offer",
	}},
	{cueBrandCall, []string{
		"thanks to", "thank you to", "partnered with", "teamed up with", "collab with",
		"in collaboration with", "in partnership with", "check out", "brought to you by",
		"powered by", "courtesy of",
	}},
	// A short English list of strong profanity; mild words ("damn", "hell")
	// are left out on purpose.
	{cueProfanity, []string{
		"fuck", "fucked", "fucking", "fucker", "motherfucker", "shit", "shitty", "bullshit",
		"bitch", "bitches", "cunt", "asshole", "dickhead", "bastard", "wtf", "stfu", "fml",
		"piss off", "slut", "whore",
	}},
	{cueGambling, []string{
		"casino", "betting", "sportsbook", "sports betting", "poker", "slots", "slot machine",
		"jackpot", "roulette", "blackjack", "bet365", "draftkings", "fanduel", "parlay",
		"odds boost", "online casino", "#casino", "#gambling", "gambling",
	}},
	{cueAlcohol, []string{
		"beer", "beers", "vodka", "whiskey", "whisky", "tequila", "rum", "gin and tonic",
		"drunk", "hangover", "booze", "wine o clock", "happy hour", "brewery",
		"#beer", "#wine", "#cocktails",
	}},
	{cueDrugs, []string{
		"weed", "cannabis", "marijuana", "stoned", "edibles", "cocaine",
		"mdma", "lsd", "shrooms", "magic mushrooms", "ketamine", "#420", "thc",
		"get high", "getting high",
	}},
	{cueTobacco, []string{
		"vape", "vaping", "cigarette", "cigarettes", "cigar", "nicotine", "juul", "hookah",
		"shisha", "#vape", "snus",
	}},
	{cueWeapons, []string{
		"gun", "guns", "rifle", "pistol", "handgun", "firearm", "firearms", "ammo",
		"ammunition", "ar15", "ar 15", "shotgun", "concealed carry", "#2a", "#guns",
	}},
	{cueAdult, []string{
		"onlyfans", "only fans", "nsfw", "porn", "xxx", "nudes", "nude", "fansly", "18+ content",
		"spicy content", "#nsfw", "#onlyfans", "#18plus", "link to my of",
	}},
	{cueViolence, []string{
		"murder", "murdered", "gore", "beheading", "massacre", "stabbing", "mass shooting",
		"school shooting", "graphic violence", "kill yourself", "kys",
	}},
}

// adultLabels are platform moderation labels (Bluesky's) that mark a
// creator's content as adult or graphic.
var adultLabels = map[string]bool{
	"porn": true, "sexual": true, "nudity": true, "graphic-media": true, "gore": true,
}

// adMarkers are the bracketed or leading "ad" labels creators put on paid
// posts ("[Ad] ...", "AD: ..."); the word alone is too common to count.
var adMarkers = []string{"[ad]", "[Ad]", "[AD]", "(ad)", "(Ad)", "(AD)", "| ad", "| Ad", "| AD"}

var adPrefixes = []string{"ad:", "Ad:", "AD:", "ad |", "Ad |", "AD |", "ad -", "Ad -", "AD -", "#ad"}

// hasAdMarker reports whether text carries a bracketed or leading ad label.
func hasAdMarker(text string) bool {
	t := strings.TrimSpace(text)
	if len(t) < 3 {
		return false
	}
	if c := t[0] | 0x20; c == 'a' || c == '#'|0x20 {
		for _, p := range adPrefixes {
			if strings.HasPrefix(t, p) {
				return true
			}
		}
	}
	if strings.IndexByte(t, '[') < 0 && strings.IndexByte(t, '(') < 0 && strings.IndexByte(t, '|') < 0 {
		return false
	}
	for _, m := range adMarkers {
		if strings.Contains(t, m) {
			return true
		}
	}
	return false
}
