package twitch

// The wire types mirror Helix's JSON. Only the fields the source reads are
// declared.

type user struct {
	ID              string `json:"id"`
	Login           string `json:"login"`
	DisplayName     string `json:"display_name"`
	Type            string `json:"type"`
	BroadcasterType string `json:"broadcaster_type"`
	Description     string `json:"description"`
	ProfileImageURL string `json:"profile_image_url"`
	CreatedAt       string `json:"created_at"`
}

type video struct {
	ID          string `json:"id"`
	UserID      string `json:"user_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	CreatedAt   string `json:"created_at"`
	PublishedAt string `json:"published_at"`
	URL         string `json:"url"`
	Viewable    string `json:"viewable"`
	ViewCount   *int64 `json:"view_count"`
	Language    string `json:"language"`
	Type        string `json:"type"`
}

type channel struct {
	ID               string `json:"id"`
	BroadcasterLogin string `json:"broadcaster_login"`
	DisplayName      string `json:"display_name"`
}

type pagination struct {
	Cursor string `json:"cursor"`
}

type usersResponse struct {
	Data *[]user `json:"data"`
}

type videosResponse struct {
	Data       *[]video   `json:"data"`
	Pagination pagination `json:"pagination"`
}

type channelsResponse struct {
	Data       *[]channel `json:"data"`
	Pagination pagination `json:"pagination"`
}

type followersResponse struct {
	Total *int64 `json:"total"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// helixError is the body of a Helix error response.
type helixError struct {
	Error   string `json:"error"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}
