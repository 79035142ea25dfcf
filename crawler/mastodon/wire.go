package mastodon

// The wire types mirror Mastodon's REST entities (Account, Status, Context,
// Search). Only the fields the source reads are declared. Flags that an
// instance may send as null (discoverable, noindex, hide_collections for
// remote accounts) are pointers so that null stays unknown.

type field struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	VerifiedAt *string `json:"verified_at"`
}

type account struct {
	ID              string `json:"id"`
	Username        string `json:"username"`
	Acct            string `json:"acct"`
	DisplayName     string `json:"display_name"`
	Note            string `json:"note"`
	URL             string `json:"url"`
	Avatar          string `json:"avatar"`
	Bot             bool   `json:"bot"`
	Group           bool   `json:"group"`
	Locked          bool   `json:"locked"`
	Discoverable    *bool  `json:"discoverable"`
	Indexable       *bool  `json:"indexable"`
	Noindex         *bool  `json:"noindex"`
	HideCollections *bool  `json:"hide_collections"`
	Suspended       bool   `json:"suspended"`
	// Limited is set when moderators of the answering instance limited
	// (silenced) the account.
	Limited bool `json:"limited"`
	// Memorial is set on the account of a person who died.
	Memorial bool `json:"memorial"`
	// Moved is the account this one moved to; non-nil means inactive.
	Moved          *account `json:"moved"`
	CreatedAt      string   `json:"created_at"`
	StatusesCount  *int64   `json:"statuses_count"`
	FollowersCount *int64   `json:"followers_count"`
	FollowingCount *int64   `json:"following_count"`
	Fields         []field  `json:"fields"`
}

type tag struct {
	Name string `json:"name"`
}

type status struct {
	ID                 string   `json:"id"`
	CreatedAt          string   `json:"created_at"`
	InReplyToID        *string  `json:"in_reply_to_id"`
	InReplyToAccountID *string  `json:"in_reply_to_account_id"`
	Visibility         string   `json:"visibility"`
	Language           *string  `json:"language"`
	URL                *string  `json:"url"`
	URI                string   `json:"uri"`
	Content            string   `json:"content"`
	SpoilerText        string   `json:"spoiler_text"`
	RepliesCount       int64    `json:"replies_count"`
	ReblogsCount       int64    `json:"reblogs_count"`
	FavouritesCount    int64    `json:"favourites_count"`
	QuotesCount        int64    `json:"quotes_count"` // Mastodon 4.5 and later
	Reblog             *status  `json:"reblog"`
	Account            *account `json:"account"`
	Tags               []tag    `json:"tags"`
}

type statusContext struct {
	Ancestors   []status `json:"ancestors"`
	Descendants []status `json:"descendants"`
}

type searchResults struct {
	Accounts []account `json:"accounts"`
}

// apiError is the body of a Mastodon error response.
type apiError struct {
	Error string `json:"error"`
}
