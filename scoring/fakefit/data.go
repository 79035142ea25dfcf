package fakefit

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/scoring"
)

// ErrNoData is returned when a labeled data set cannot be found.
var ErrNoData = errors.New("labeled data not found")

// Field is a set of account fields, as a bit mask: the fields a sample or a
// held-out data set knows.
type Field uint16

// The account fields of the `scout score accounts` contract.
const (
	FHandle Field = 1 << iota
	FName
	FBio
	FAvatar
	FPrivate
	FVerified
	FURL
	FFollowers
	FFollowing
	FPosts
	FCreated

	// FAll is every field.
	FAll = FCreated<<1 - 1
	// FCounts is the three counts.
	FCounts = FFollowers | FFollowing | FPosts
)

var fieldNames = []string{"handle", "name", "bio", "avatar", "private", "verified", "url", "followers", "following", "posts", "created"}

// String lists the fields of f, "+" separated.
func (f Field) String() string {
	if f == FAll {
		return "all"
	}
	var parts []string
	for i, n := range fieldNames {
		if f&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// Account is one labeled account. A data set that holds the account's text
// and dates gives Raw (features are then derived by scoring.FeaturesOf at
// Now, exactly as at scoring time); one that holds only derived figures
// gives F.
type Account struct {
	Raw  *creator.Account
	Now  time.Time
	F    scoring.AccountFeatures
	Fake bool
}

// Features returns the account's features with only the fields in keep
// known.
func (a *Account) Features(keep Field) scoring.AccountFeatures {
	if a.Raw != nil {
		c := *a.Raw
		if keep&FHandle == 0 {
			c.Handle = ""
		}
		if keep&FName == 0 {
			c.DisplayName = nil
		}
		if keep&FBio == 0 {
			c.Bio = nil
		}
		if keep&FAvatar == 0 {
			c.HasAvatar = nil
		}
		if keep&FPrivate == 0 {
			c.Private = nil
		}
		if keep&FVerified == 0 {
			c.Verified = nil
		}
		if keep&FURL == 0 {
			c.HasURL = nil
		}
		if keep&FFollowers == 0 {
			c.Followers = nil
		}
		if keep&FFollowing == 0 {
			c.Following = nil
		}
		if keep&FPosts == 0 {
			c.Posts = nil
		}
		if keep&FCreated == 0 {
			c.CreatedAt = nil
		}
		return scoring.FeaturesOf(&c, a.Now)
	}
	f := a.F
	drop := func(field Field, vs ...*scoring.Val) {
		if keep&field == 0 {
			for _, v := range vs {
				*v = scoring.Val{}
			}
		}
	}
	drop(FHandle, &f.HandleDigitShare, &f.HandleLen, &f.NameEqualsHandle)
	drop(FName, &f.NameWords, &f.NameDigitShare, &f.NameEqualsHandle)
	drop(FBio, &f.BioLen)
	drop(FAvatar, &f.HasAvatar)
	drop(FPrivate, &f.Private)
	drop(FVerified, &f.Verified)
	drop(FURL, &f.HasURL)
	drop(FFollowers, &f.Followers)
	drop(FFollowing, &f.Following)
	drop(FPosts, &f.Posts)
	drop(FCreated, &f.AgeDays)
	if keep&(FHandle|FName|FBio) != FHandle|FName|FBio {
		f.SaysBot = scoring.Val{}
	}
	return f
}

// Set is one labeled data set.
type Set struct {
	Name string
	// Platform is the platform its accounts are on.
	Platform string
	// Fields are the fields its accounts know.
	Fields   Field
	Accounts []Account
}

// Counts returns the numbers of fake and genuine accounts in s.
func (s *Set) Counts() (fake, genuine int) {
	for _, a := range s.Accounts {
		if a.Fake {
			fake++
		} else {
			genuine++
		}
	}
	return fake, genuine
}

// LoadAll reads the four labeled account data sets under dir (the
// ../shared/datasets folder): instafake, instagram-fake-spammer (train and
// test), twitter-bots and twibot22-annotation.
func LoadAll(dir string) ([]Set, error) {
	var sets []Set
	for _, load := range []func(string) (Set, error){LoadInstaFake, LoadSpammer, LoadTwitterBots, LoadTwibot} {
		s, err := load(dir)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	return sets, nil
}

func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", path, ErrNoData)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}

// LoadInstaFake reads InstaFake (Akyon & Kalfaoglu 2019): counts, bio
// length, avatar, private and the handle's digit count and length.
func LoadInstaFake(dir string) (Set, error) {
	s := Set{Name: "instafake", Platform: creator.Instagram,
		Fields: FHandle | FBio | FAvatar | FPrivate | FCounts}
	for _, name := range []string{"fakeAccountData.json", "realAccountData.json"} {
		b, err := readFile(filepath.Join(dir, "instafake", name))
		if err != nil {
			return s, err
		}
		var rows []map[string]float64
		if err := json.Unmarshal(b, &rows); err != nil {
			return s, fmt.Errorf("decoding instafake %s: %w", name, err)
		}
		for _, r := range rows {
			f := scoring.AccountFeatures{
				HasAvatar: scoring.KnownBool(r["userHasProfilPic"] == 1), Private: scoring.KnownBool(r["userIsPrivate"] == 1),
				Followers: scoring.Known(r["userFollowerCount"]), Following: scoring.Known(r["userFollowingCount"]),
				Posts: scoring.Known(r["userMediaCount"]), BioLen: scoring.Known(r["userBiographyLength"]),
			}
			if n := r["usernameLength"]; n > 0 {
				f.HandleDigitShare = scoring.Known(r["usernameDigitCount"] / n)
				f.HandleLen = scoring.Known(n)
			}
			s.Accounts = append(s.Accounts, Account{F: f, Fake: r["isFake"] == 1})
		}
	}
	return s, nil
}

// LoadSpammer reads instagram-fake-spammer, train and test together: the
// handle's digit share, name words and digit share, name == handle, bio
// length, url, private and counts.
func LoadSpammer(dir string) (Set, error) {
	s := Set{Name: "instagram-fake-spammer", Platform: creator.Instagram,
		Fields: FHandle | FName | FBio | FURL | FAvatar | FPrivate | FCounts}
	for _, name := range []string{"insta_train.csv", "insta_test.csv"} {
		path := filepath.Join(dir, "instagram-fake-spammer", name)
		b, err := readFile(path)
		if err != nil {
			return s, err
		}
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			return s, fmt.Errorf("decoding %s: %w", path, err)
		}
		for i, r := range rows {
			if i == 0 {
				continue
			}
			if len(r) < 12 {
				return s, fmt.Errorf("decoding %s line %d: %d columns, want 12", path, i+1, len(r))
			}
			v := make([]float64, 12)
			for j := range v {
				if v[j], err = strconv.ParseFloat(strings.TrimSpace(r[j]), 64); err != nil {
					return s, fmt.Errorf("decoding %s line %d: %w", path, i+1, err)
				}
			}
			s.Accounts = append(s.Accounts, Account{Fake: v[11] == 1, F: scoring.AccountFeatures{
				HasAvatar: scoring.KnownBool(v[0] == 1), HandleDigitShare: scoring.Known(v[1]),
				NameWords: scoring.Known(v[2]), NameDigitShare: scoring.Known(v[3]),
				NameEqualsHandle: scoring.KnownBool(v[4] == 1), BioLen: scoring.Known(v[5]),
				HasURL: scoring.KnownBool(v[6] == 1), Private: scoring.KnownBool(v[7] == 1),
				Posts: scoring.Known(v[8]), Followers: scoring.Known(v[9]), Following: scoring.Known(v[10]),
			}})
		}
	}
	return s, nil
}

// refAfter is how long after the newest account of a data set its crawl is
// taken to be (for account ages): the data sets do not say when they were
// collected.
const refAfter = 30 * 24 * time.Hour

// LoadTwitterBots reads twitter-bots: full public profiles (no private
// flag). Ages are measured at 30 days after the newest account's creation.
func LoadTwitterBots(dir string) (Set, error) {
	s := Set{Name: "twitter-bots", Platform: "twitter", Fields: FAll &^ FPrivate}
	var newest time.Time
	for _, name := range []string{"bots_data.csv", "nonbots_data.csv"} {
		path := filepath.Join(dir, "twitter-bots", name)
		b, err := readFile(path)
		if err != nil {
			return s, err
		}
		rd := csv.NewReader(strings.NewReader(string(b)))
		rd.LazyQuotes = true
		rd.FieldsPerRecord = -1
		head, err := rd.Read()
		if err != nil {
			return s, fmt.Errorf("decoding %s: %w", path, err)
		}
		col := map[string]int{}
		for i, h := range head {
			col[strings.TrimSpace(h)] = i
		}
		for _, c := range []string{"screen_name", "name", "description", "url", "followers_count", "friends_count",
			"statuses_count", "created_at", "verified", "default_profile_image", "bot"} {
			if _, ok := col[c]; !ok {
				return s, fmt.Errorf("decoding %s: no %s column", path, c)
			}
		}
		for line := 2; ; line++ {
			r, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return s, fmt.Errorf("decoding %s line %d: %w", path, line, err)
			}
			get := func(c string) string {
				if i := col[c]; i < len(r) {
					return strings.Trim(strings.TrimSpace(r[i]), `"`)
				}
				return ""
			}
			num := func(c string) *int64 {
				v, err := strconv.ParseFloat(get(c), 64)
				if err != nil {
					return nil
				}
				n := int64(v)
				return &n
			}
			a := &creator.Account{Handle: get("screen_name"), DisplayName: creator.Ptr(get("name")),
				Bio:       creator.Ptr(get("description")),
				HasAvatar: creator.Ptr(!strings.EqualFold(get("default_profile_image"), "true")),
				Verified:  creator.Ptr(strings.EqualFold(get("verified"), "true")),
				HasURL:    creator.Ptr(get("url") != "" && !strings.EqualFold(get("url"), "none")),
				Followers: num("followers_count"), Following: num("friends_count"), Posts: num("statuses_count")}
			if t, ok := parseTwitterTime(get("created_at")); ok {
				a.CreatedAt = &t
				if t.After(newest) {
					newest = t
				}
			}
			s.Accounts = append(s.Accounts, Account{Raw: a, Fake: get("bot") == "1"})
		}
	}
	for i := range s.Accounts {
		s.Accounts[i].Now = newest.Add(refAfter)
	}
	return s, nil
}

// parseTwitterTime reads the creation times of the Twitter data sets:
// "Sat Oct 17 22:35:31 +0000 2015", "2013-09-28 16:49:36+00:00", or
// "13/03/2017 22:21" and "7/13/2009 0:38" (day or month first, month first
// when both could be).
func parseTwitterTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RubyDate, "2006-01-02 15:04:05-07:00", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	date, _, _ := strings.Cut(s, " ")
	p := strings.Split(date, "/")
	if len(p) != 3 {
		return time.Time{}, false
	}
	a, e1 := strconv.Atoi(p[0])
	b, e2 := strconv.Atoi(p[1])
	y, e3 := strconv.Atoi(p[2])
	if e1 != nil || e2 != nil || e3 != nil || y < 2000 {
		return time.Time{}, false
	}
	m, d := a, b
	if a > 12 {
		m, d = b, a
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// twibotUser is one profile of twibot22-annotation, in Twitter API v2
// shape; its string values carry stray trailing spaces.
type twibotUser struct {
	CreatedAt   string          `json:"created_at"`
	Description *string         `json:"description"`
	ID          string          `json:"id"`
	Name        *string         `json:"name"`
	Image       *string         `json:"profile_image_url"`
	Protected   json.RawMessage `json:"protected"`
	Verified    json.RawMessage `json:"verified"`
	URL         *string         `json:"url"`
	Username    string          `json:"username"`
	Metrics     *struct {
		Followers *int64 `json:"followers_count"`
		Following *int64 `json:"following_count"`
		Tweets    *int64 `json:"tweet_count"`
	} `json:"public_metrics"`
}

// jsonBool reads true, false, "True " or "False ".
func jsonBool(raw json.RawMessage) *bool {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return &b
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return creator.Ptr(true)
		case "false":
			return creator.Ptr(false)
		}
	}
	return nil
}

// Twibot label thresholds on the mean of the three experts' 0-4 grades:
// at or above twibotBot a bot, at or below twibotHuman a human; the
// accounts in between (the experts unsure or split) are left out.
const (
	twibotBot   = 2.5
	twibotHuman = 1.5
)

// LoadTwibot reads twibot22-annotation: 1,000 Twitter profiles graded by
// three experts. Ages are measured at 30 days after the newest account of
// each file.
func LoadTwibot(dir string) (Set, error) {
	s := Set{Name: "twibot22-annotation", Platform: "twitter", Fields: FAll}
	base := filepath.Join(dir, "twibot22-annotation")
	b, err := readFile(filepath.Join(base, "annotation_combine.csv"))
	if err != nil {
		return s, err
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		return s, fmt.Errorf("decoding annotation_combine.csv: %w", err)
	}
	sum, n := map[string]float64{}, map[string]float64{}
	for i, r := range rows {
		if i == 0 || len(r) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(r[1]), 64)
		if err != nil {
			return s, fmt.Errorf("decoding annotation_combine.csv line %d: %w", i+1, err)
		}
		id := strings.TrimSpace(r[0])
		sum[id] += v
		n[id]++
	}
	for _, name := range []string{"Twibot20-anno_study.json", "Twibot22-anno_study.json"} {
		b, err := readFile(filepath.Join(base, name))
		if err != nil {
			return s, err
		}
		var users []twibotUser
		if err := json.Unmarshal(b, &users); err != nil {
			return s, fmt.Errorf("decoding %s: %w", name, err)
		}
		var newest time.Time
		start := len(s.Accounts)
		for _, u := range users {
			id := strings.TrimSpace(u.ID)
			if n[id] == 0 {
				continue
			}
			mean := sum[id] / n[id]
			if mean > twibotHuman && mean < twibotBot {
				continue
			}
			trim := func(p *string) *string {
				if p == nil {
					return nil
				}
				return creator.Ptr(strings.TrimSpace(*p))
			}
			a := &creator.Account{ID: id, Handle: strings.TrimSpace(u.Username), DisplayName: trim(u.Name),
				Bio: trim(u.Description), Private: jsonBool(u.Protected), Verified: jsonBool(u.Verified)}
			if u.Image != nil {
				a.HasAvatar = creator.Ptr(!strings.Contains(*u.Image, "default_profile"))
			}
			if u.URL != nil {
				v := strings.TrimSpace(*u.URL)
				a.HasURL = creator.Ptr(v != "" && v != "None")
			}
			if m := u.Metrics; m != nil {
				a.Followers, a.Following, a.Posts = m.Followers, m.Following, m.Tweets
			}
			if t, ok := parseTwitterTime(u.CreatedAt); ok {
				a.CreatedAt = &t
				if t.After(newest) {
					newest = t
				}
			}
			s.Accounts = append(s.Accounts, Account{Raw: a, Fake: mean >= twibotBot})
		}
		for i := start; i < len(s.Accounts); i++ {
			s.Accounts[i].Now = newest.Add(refAfter)
		}
	}
	return s, nil
}
