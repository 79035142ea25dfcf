package fetch

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jimsmart/grobotstxt"
)

// googleCase is one EXPECT of Google's robots_test.cc (google/robotstxt),
// the test suite of the reference parser for RFC 9309, matched through the
// rules and URL handling the client uses.
type googleCase struct {
	test   string // the TEST of robots_test.cc it comes from
	robots string
	agent  string
	url    string
	want   bool
}

// googleExceptions are the cases of robots_test.cc whose expectation the
// client deliberately does not share, with the reason.
var googleExceptions = map[string]string{
	// Google's matcher takes the URL as given and the test passes a raw
	// "ツ"; the client matches the URL it sends, which Go always
	// percent-encodes (/foo/bar/%E3%83%84), so the rule does match. A raw
	// non-ASCII path never reaches the wire.
	"ID_Encoding/raw ツ after Allow ツ":         "the client matches the escaped URL it sends",
	"ID_Encoding/raw ツ after Allow %E3%83%84": "the client matches the escaped URL it sends",
}

func googleCases() []googleCase {
	const foo = "FooBot"
	var cs []googleCase
	add := func(test, robots, agent, url string, want bool) {
		cs = append(cs, googleCase{test, robots, agent, url, want})
	}

	// GoogleOnly_SystemTest.
	sys := "user-agent: FooBot\ndisallow: /\n"
	add("GoogleOnly_SystemTest", "", foo, "", true)
	add("GoogleOnly_SystemTest", sys, "", "", true)
	add("GoogleOnly_SystemTest", sys, foo, "", false)
	add("GoogleOnly_SystemTest", "", "", "", true)

	// ID_LineSyntax_Line.
	add("ID_LineSyntax_Line", "user-agent: FooBot\ndisallow: /\n", foo, "http://foo.bar/x/y", false)
	add("ID_LineSyntax_Line", "foo: FooBot\nbar: /\n", foo, "http://foo.bar/x/y", true)
	add("ID_LineSyntax_Line", "user-agent FooBot\ndisallow /\n", foo, "http://foo.bar/x/y", false)

	// ID_LineSyntax_Groups.
	groups := "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\ndisallow: /\nallow: /y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\nallow: /z/\ndisallow: /\n"
	add("ID_LineSyntax_Groups", groups, foo, "http://foo.bar/x/b", true)
	add("ID_LineSyntax_Groups", groups, foo, "http://foo.bar/z/d", true)
	add("ID_LineSyntax_Groups", groups, foo, "http://foo.bar/y/c", false)
	add("ID_LineSyntax_Groups", groups, "BarBot", "http://foo.bar/y/c", true)
	add("ID_LineSyntax_Groups", groups, "BarBot", "http://foo.bar/w/a", true)
	add("ID_LineSyntax_Groups", groups, "BarBot", "http://foo.bar/z/d", false)
	add("ID_LineSyntax_Groups", groups, "BazBot", "http://foo.bar/z/d", true)
	add("ID_LineSyntax_Groups", groups, foo, "http://foo.bar/foo/bar/", false)
	add("ID_LineSyntax_Groups", groups, "BarBot", "http://foo.bar/foo/bar/", false)
	add("ID_LineSyntax_Groups", groups, "BazBot", "http://foo.bar/foo/bar/", false)

	// ID_LineSyntax_Groups_OtherRules.
	for _, robots := range []string{
		"User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n",
		"User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n",
	} {
		add("ID_LineSyntax_Groups_OtherRules", robots, foo, "http://foo.bar/", false)
		add("ID_LineSyntax_Groups_OtherRules", robots, "BarBot", "http://foo.bar/", false)
	}

	// ID_REPLineNamesCaseInsensitive.
	for _, robots := range []string{
		"USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n",
		"user-agent: FooBot\nallow: /x/\ndisallow: /\n",
		"uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n",
	} {
		add("ID_REPLineNamesCaseInsensitive", robots, foo, "http://foo.bar/x/y", true)
		add("ID_REPLineNamesCaseInsensitive", robots, foo, "http://foo.bar/a/b", false)
	}

	// ID_UserAgentValueCaseInsensitive.
	for _, robots := range []string{
		"User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n",
		"User-Agent: foo bar\nAllow: /x/\nDisallow: /\n",
		"User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n",
	} {
		for _, agent := range []string{"Foo", "foo"} {
			add("ID_UserAgentValueCaseInsensitive", robots, agent, "http://foo.bar/x/y", true)
			add("ID_UserAgentValueCaseInsensitive", robots, agent, "http://foo.bar/a/b", false)
		}
	}

	// GoogleOnly_AcceptUserAgentUpToFirstSpace.
	space := "User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n"
	add("GoogleOnly_AcceptUserAgentUpToFirstSpace", space, "Foo", "http://foo.bar/x/y", true)
	add("GoogleOnly_AcceptUserAgentUpToFirstSpace", space, "Foo Bar", "http://foo.bar/x/y", false)

	// ID_GlobalGroups_Secondary.
	global := "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n"
	specific := "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n"
	add("ID_GlobalGroups_Secondary", "", foo, "http://foo.bar/x/y", true)
	add("ID_GlobalGroups_Secondary", global, foo, "http://foo.bar/x/y", false)
	add("ID_GlobalGroups_Secondary", global, "BarBot", "http://foo.bar/x/y", true)
	add("ID_GlobalGroups_Secondary", specific, "QuxBot", "http://foo.bar/x/y", true)

	// ID_AllowDisallow_Value_CaseSensitive.
	add("ID_AllowDisallow_Value_CaseSensitive", "user-agent: FooBot\ndisallow: /x/\n", foo, "http://foo.bar/x/y", false)
	add("ID_AllowDisallow_Value_CaseSensitive", "user-agent: FooBot\ndisallow: /X/\n", foo, "http://foo.bar/x/y", true)

	// ID_LongestMatch.
	const page = "http://foo.bar/x/page.html"
	add("ID_LongestMatch", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", foo, page, false)
	add("ID_LongestMatch", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", foo, page, true)
	add("ID_LongestMatch", "user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", foo, "http://foo.bar/x/", false)
	add("ID_LongestMatch", "user-agent: FooBot\ndisallow: \nallow: \n", foo, page, true)
	add("ID_LongestMatch", "user-agent: FooBot\ndisallow: /\nallow: /\n", foo, page, true)
	add("ID_LongestMatch", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", foo, "http://foo.bar/x", false)
	add("ID_LongestMatch", "user-agent: FooBot\ndisallow: /x\nallow: /x/\n", foo, "http://foo.bar/x/", true)
	add("ID_LongestMatch", "user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", foo, page, true)
	add("ID_LongestMatch", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", foo, "http://foo.bar/page.html", false)
	add("ID_LongestMatch", "user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", foo, "http://foo.bar/page", true)
	add("ID_LongestMatch", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", foo, page, true)
	add("ID_LongestMatch", "user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", foo, "http://foo.bar/x/y.html", false)
	add("ID_LongestMatch", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", foo, "http://foo.bar/x/page", true)
	add("ID_LongestMatch", "User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", foo, "http://foo.bar/y/page", false)

	// ID_Encoding.
	add("ID_Encoding", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n", foo, "http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par", true)
	add("ID_Encoding", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", foo, "http://foo.bar/foo/bar/%E3%83%84", true)
	cs = append(cs, googleCase{"ID_Encoding/raw ツ after Allow ツ", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", foo, "http://foo.bar/foo/bar/ツ", false})
	add("ID_Encoding", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", foo, "http://foo.bar/foo/bar/%E3%83%84", true)
	cs = append(cs, googleCase{"ID_Encoding/raw ツ after Allow %E3%83%84", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", foo, "http://foo.bar/foo/bar/ツ", false})
	add("ID_Encoding", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", foo, "http://foo.bar/foo/bar/baz", false)
	add("ID_Encoding", "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", foo, "http://foo.bar/foo/bar/%62%61%7A", true)

	// ID_SpecialCharacters.
	star := "User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n"
	add("ID_SpecialCharacters", star, foo, "http://foo.bar/foo/bar/quz", false)
	add("ID_SpecialCharacters", star, foo, "http://foo.bar/foo/quz", true)
	add("ID_SpecialCharacters", star, foo, "http://foo.bar/foo//quz", true)
	add("ID_SpecialCharacters", star, foo, "http://foo.bar/foo/bax/quz", true)
	dollar := "User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n"
	add("ID_SpecialCharacters", dollar, foo, "http://foo.bar/foo/bar", false)
	add("ID_SpecialCharacters", dollar, foo, "http://foo.bar/foo/bar/qux", true)
	add("ID_SpecialCharacters", dollar, foo, "http://foo.bar/foo/bar/", true)
	add("ID_SpecialCharacters", dollar, foo, "http://foo.bar/foo/bar/baz", true)
	hash := "User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n"
	add("ID_SpecialCharacters", hash, foo, "http://foo.bar/foo/bar", true)
	add("ID_SpecialCharacters", hash, foo, "http://foo.bar/foo/quz", false)

	// GoogleOnly_IndexHTMLisDirectory.
	index := "User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n"
	add("GoogleOnly_IndexHTMLisDirectory", index, "foobot", "http://foo.com/allowed-slash/", true)
	add("GoogleOnly_IndexHTMLisDirectory", index, "foobot", "http://foo.com/allowed-slash/index.htm", false)
	add("GoogleOnly_IndexHTMLisDirectory", index, "foobot", "http://foo.com/allowed-slash/index.html", true)
	add("GoogleOnly_IndexHTMLisDirectory", index, "foobot", "http://foo.com/anyother-url", false)

	// GoogleOnly_LineTooLong: lines are cut at 8 * 2083 bytes.
	const maxLineLen, eol = 2083 * 8, 1
	{
		longline := "/x/" + strings.Repeat("a", maxLineLen-2*len("/x/")-len("disallow: ")+eol)
		robots := "user-agent: FooBot\ndisallow: " + longline + "/qux\n"
		add("GoogleOnly_LineTooLong", robots, foo, "http://foo.bar/fux", true)
		add("GoogleOnly_LineTooLong", robots, foo, "http://foo.bar"+longline+"/fux", false)
	}
	{
		n := maxLineLen - 2*len("/x/") - len("allow: ") + eol
		a, b := "/x/"+strings.Repeat("a", n), "/x/"+strings.Repeat("b", n)
		robots := "user-agent: FooBot\ndisallow: /\nallow: " + a + "/qux\nallow: " + b + "/qux\n"
		add("GoogleOnly_LineTooLong", robots, foo, "http://foo.bar/", false)
		add("GoogleOnly_LineTooLong", robots, foo, "http://foo.bar"+a+"/qux", true)
		add("GoogleOnly_LineTooLong", robots, foo, "http://foo.bar"+b+"/fux", true)
	}

	// GoogleOnly_DocumentationChecks.
	doc := func(allow string, yes, no []string) {
		robots := "user-agent: FooBot\ndisallow: /\nallow: " + allow + "\n"
		for _, p := range yes {
			add("GoogleOnly_DocumentationChecks", robots, foo, "http://foo.bar"+p, true)
		}
		for _, p := range no {
			add("GoogleOnly_DocumentationChecks", robots, foo, "http://foo.bar"+p, false)
		}
	}
	doc("/fish",
		[]string{"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html", "/fish.html?id=anything"},
		[]string{"/bar", "/Fish.asp", "/catfish", "/?id=fish"})
	doc("/fish*",
		[]string{"/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html", "/fish.html?id=anything"},
		[]string{"/bar", "/Fish.bar", "/catfish", "/?id=fish"})
	doc("/fish/",
		[]string{"/fish/", "/fish/salmon", "/fish/?salmon", "/fish/salmon.html", "/fish/?id=anything"},
		[]string{"/bar", "/fish", "/fish.html", "/Fish/Salmon.html"})
	doc("/*.php",
		[]string{"/filename.php", "/folder/filename.php", "/folder/filename.php?parameters", "//folder/any.php.file.html", "/filename.php/", "/index?f=filename.php/"},
		[]string{"/bar", "/php/", "/index?php", "/windows.PHP"})
	doc("/*.php$",
		[]string{"/filename.php", "/folder/filename.php"},
		[]string{"/bar", "/filename.php?parameters", "/filename.php/", "/filename.php5", "/php/", "/filename?php", "/aaaphpaaa", "//windows.PHP"})
	doc("/fish*.php",
		[]string{"/fish.php", "/fishheads/catfish.php?parameters"},
		[]string{"/bar", "/Fish.PHP"})
	add("GoogleOnly_DocumentationChecks", "user-agent: FooBot\nallow: /p\ndisallow: /\n", foo, "http://example.com/page", true)
	add("GoogleOnly_DocumentationChecks", "user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", foo, "http://example.com/folder/page", true)
	add("GoogleOnly_DocumentationChecks", "user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", foo, "http://example.com/page.htm", false)
	add("GoogleOnly_DocumentationChecks", "user-agent: FooBot\nallow: /$\ndisallow: /\n", foo, "http://example.com/", true)
	add("GoogleOnly_DocumentationChecks", "user-agent: FooBot\nallow: /$\ndisallow: /\n", foo, "http://example.com/page.html", false)
	return cs
}

// TestRobotsGoogleSuite runs the matching cases of Google's robots_test.cc
// through the rules and the URL-to-path step the client uses. The cases
// that test the parser's line handling are in TestRobotsGoogleParse; those
// of helpers the client does not have (IsValidUserAgentToObey,
// MaybeEscapePattern) are not ported.
func TestRobotsGoogleSuite(t *testing.T) {
	cases := googleCases()
	var failed, excepted int
	for i, tc := range cases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatalf("case %d (%s): parsing %q: %v", i, tc.test, tc.url, err)
		}
		r := robotsEntry{Status: 200, Body: []byte(tc.robots)}.rules(tc.agent)
		got := r.allows(robotsPath(u))
		if why, ok := googleExceptions[tc.test]; ok {
			excepted++
			if got == tc.want {
				t.Errorf("case %d (%s): now agrees with Google; drop the exception %q", i, tc.test, why)
			}
			continue
		}
		if got != tc.want {
			failed++
			t.Errorf("case %d (%s): agent %q url %q: allowed %v, want %v\nrobots.txt:\n%s", i, tc.test, tc.agent, short(tc.url), got, tc.want, short(tc.robots))
		}
	}
	if len(cases) < 130 {
		t.Errorf("only %d cases ported", len(cases))
	}
	t.Logf("%d cases of robots_test.cc: %d failed, %d documented exceptions", len(cases), failed, excepted)
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// TestRobotsPath is robots_test.cc's TestGetPathParamsQuery for the URLs
// the client can be given (absolute ones).
func TestRobotsPath(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"http://www.example.com", "/"},
		{"http://www.example.com/", "/"},
		{"http://www.example.com/a", "/a"},
		{"http://www.example.com/a/", "/a/"},
		{"http://www.example.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"},
		{"http://www.example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"},
		{"http://example.com?a", "/?a"},
		{"http://example.com/a;b#c", "/a;b"},
		{"http://a//b/c", "//b/c"}, // Google drops "//a" from a relative URL; here the path is "//b/c"
		{"http://example.com/á", "/%C3%A1"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := robotsPath(u); got != tc.want {
			t.Errorf("robotsPath(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

// statsReporter is robots_test.cc's RobotsStatsReporter.
type statsReporter struct {
	lastLine, valid, unknown int
	sitemap                  string
}

func (r *statsReporter) HandleRobotsStart()              { *r = statsReporter{} }
func (r *statsReporter) HandleRobotsEnd()                {}
func (r *statsReporter) HandleUserAgent(n int, _ string) { r.digest(n) }
func (r *statsReporter) HandleAllow(n int, _ string)     { r.digest(n) }
func (r *statsReporter) HandleDisallow(n int, _ string)  { r.digest(n) }
func (r *statsReporter) HandleSitemap(n int, v string)   { r.digest(n); r.sitemap += v }
func (r *statsReporter) HandleUnknownAction(n int, _, _ string) {
	r.lastLine = n
	r.unknown++
}
func (r *statsReporter) digest(n int) {
	if n >= r.lastLine {
		r.lastLine = n
	}
	r.valid++
}

// TestRobotsGoogleParse is robots_test.cc's parser cases: line endings,
// byte order marks and Sitemap lines, on the parser the client uses.
func TestRobotsGoogleParse(t *testing.T) {
	type stats struct{ Valid, Unknown, LastLine int }
	tests := []struct {
		name, robots string
		want         stats
	}{
		{"unix", "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /\n", stats{4, 0, 6}},
		{"dos", "User-Agent: foo\r\nAllow: /some/path\r\nUser-Agent: bar\r\n\r\n\r\nDisallow: /\r\n", stats{4, 0, 6}},
		{"mac", "User-Agent: foo\rAllow: /some/path\rUser-Agent: bar\r\r\rDisallow: /\r", stats{4, 0, 6}},
		{"no final newline", "User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nDisallow: /", stats{4, 0, 6}},
		{"mixed", "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /", stats{4, 0, 6}},
		{"full BOM", "\xEF\xBB\xBFUser-Agent: foo\nAllow: /AnyValue\n", stats{2, 0, 2}},
		{"partial BOM of 2", "\xEF\xBBUser-Agent: foo\nAllow: /AnyValue\n", stats{2, 0, 2}},
		{"partial BOM of 1", "\xEFUser-Agent: foo\nAllow: /AnyValue\n", stats{2, 0, 2}},
		{"broken BOM", "\xEF\x11\xBFUser-Agent: foo\nAllow: /AnyValue\n", stats{1, 1, 2}},
		{"BOM in the middle", "User-Agent: foo\n\xEF\xBB\xBFAllow: /AnyValue\n", stats{1, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r statsReporter
			grobotstxt.Parse(tt.robots, &r)
			if diff := cmp.Diff(tt.want, stats{r.valid, r.unknown, r.lastLine}); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, robots := range []string{
		"User-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\nSitemap: http://foo.bar/sitemap.xml\n",
		"Sitemap: http://foo.bar/sitemap.xml\nUser-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\n",
	} {
		var r statsReporter
		grobotstxt.Parse(robots, &r)
		if r.sitemap != "http://foo.bar/sitemap.xml" {
			t.Errorf("sitemap %q, want http://foo.bar/sitemap.xml in\n%s", r.sitemap, robots)
		}
	}
}

func BenchmarkRobotsGoogleSuite(b *testing.B) {
	cases := googleCases()
	for b.Loop() {
		for _, tc := range cases {
			u, _ := url.Parse(tc.url)
			robotsEntry{Status: 200, Body: []byte(tc.robots)}.rules(tc.agent).allows(robotsPath(u))
		}
	}
}

// BenchmarkRobotsAllows measures one decision on a 2,000-rule file,
// compiled once.
func BenchmarkRobotsAllows(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("User-agent: *\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "Disallow: /section-%d/*.php$\nAllow: /section-%d/public\n", i, i)
	}
	r := robotsEntry{Status: 200, Body: []byte(sb.String())}.rules("CreatorScout")
	for b.Loop() {
		r.allows("/section-999/public/page.html")
	}
}

// reference decides a path with grobotstxt's own matcher, which parses the
// file for every decision: the behaviour compileRobots must keep.
func reference(body, agent, path string) bool {
	return grobotstxt.AgentAllowed(body, agent, "http://robots.invalid"+path)
}

// TestRobotsCompiledMatchesReference compares the compiled rules with
// grobotstxt's matcher on every case of Google's suite and on generated
// files: groups, repeated and shared user-agent lines, rules before any
// group, wildcards, "$", index.html, comments, odd lines and case. The
// generated user-agent values hold no digits or other token characters,
// where the client follows Google rather than grobotstxt (isAgentByte).
func TestRobotsCompiledMatchesReference(t *testing.T) {
	check := func(body, agent, path string) {
		t.Helper()
		want := reference(body, agent, path)
		if got := (robotsEntry{Status: 200, Body: []byte(body)}).rules(agent).allows(path); got != want {
			t.Errorf("agent %q path %q: compiled %v, grobotstxt %v\nrobots.txt:\n%s", agent, path, got, want, short(body))
		}
	}
	for _, tc := range googleCases() {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		check(tc.robots, tc.agent, robotsPath(u))
	}
	lines := []string{
		"User-agent: *", "User-agent: CreatorScout", "user-agent: creatorscout/1.0", "User-agent: Creator",
		"User-agent: OtherBot", "User-agent: * extra", "User-agent: CreatorScout Bot", "useragent: CreatorScout",
		"Allow: /", "Disallow: /", "Disallow: /a", "Allow: /a/b", "Disallow: /a/b$", "Allow: /*.html",
		"Disallow: /*.html$", "Allow: /a/index.html", "Disallow: /a/", "Allow: /ツ", "Disallow: /%E3%83%84",
		"Disallow: /a#comment", "Disallow:", "Allow:", "Crawl-delay: 3", "Sitemap: https://x.example/s.xml",
		"Nonsense line", "# comment", "", "disallow /b", "Disallow: /*/c", "Allow: /a?q=1", "Disallow: /*?",
	}
	paths := []string{"/", "/a", "/a/", "/a/b", "/a/b/c", "/a/index.html", "/x.html", "/x.html?y", "/b",
		"/%E3%83%84", "/c/d/c", "/a?q=1", "/a?q=2", "/ab", "/a/c"}
	agents := []string{"CreatorScout", "creatorscout", "OtherBot"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(lines[rng.IntN(len(lines))])
			b.WriteByte('\n')
		}
		body := b.String()
		agent := agents[rng.IntN(len(agents))]
		for range 4 {
			check(body, agent, paths[rng.IntN(len(paths))])
		}
		if t.Failed() {
			return
		}
	}
}

// BenchmarkRobotsReference is BenchmarkRobotsAllows with grobotstxt's own
// matcher, which parses the file again for each decision.
func BenchmarkRobotsReference(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("User-agent: *\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "Disallow: /section-%d/*.php$\nAllow: /section-%d/public\n", i, i)
	}
	body := sb.String()
	for b.Loop() {
		reference(body, "CreatorScout", "/section-999/public/page.html")
	}
}
