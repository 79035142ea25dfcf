package nichefit

import (
	"strings"
	"unicode"
)

// stopwords are common function words of each language the model is
// measured on, for telling a caption's language apart in the report (the
// data sets label no language but X-Topic's).
var stopwords = map[string][]string{
	"en": strings.Fields("the and to of is my for with this you are was it in on so what just your"),
	"es": strings.Fields("el los las que y en con por para una muy del al es mi pero como más este esta"),
	"de": strings.Fields("der die das und ist mit nicht ich auf für ein eine zu den dem sich auch wir"),
	"fr": strings.Fields("le les et est pour avec dans une des je pas du au sur mon ma ce qui très"),
	"pt": strings.Fields("o os as que e em com para uma não muito você do da no na meu minha mais"),
	"it": strings.Fields("il lo gli di che e per con una sono non della questo questa del nel mi più anche"),
}

var stopIndex = func() map[string][]string {
	m := map[string][]string{}
	for lang, ws := range stopwords {
		for _, w := range ws {
			m[w] = append(m[w], lang)
		}
	}
	return m
}()

// Language guesses a text's language among en, es, de, fr, pt and it by
// counting their function words; "other" when fewer than three are found
// or two languages tie. It is a rough guide for reporting, not a product
// feature.
func Language(text string) string {
	count := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, lang := range stopIndex[w] {
			count[lang]++
		}
	}
	best, bestN, tie := "other", 2, false
	for _, lang := range []string{"en", "es", "de", "fr", "pt", "it"} {
		switch n := count[lang]; {
		case n > bestN:
			best, bestN, tie = lang, n, false
		case n == bestN && best != "other":
			tie = true
		}
	}
	if tie {
		return "other"
	}
	return best
}
