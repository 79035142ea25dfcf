package instagram

// The wire types mirror the Graph API's JSON for the IG User
// business_discovery field. Counts are pointers: a field the API leaves
// out (like_count when the owner hides likes) stays unknown.

type media struct {
	ID               string `json:"id"`
	Caption          string `json:"caption"`
	LikeCount        *int64 `json:"like_count"`
	CommentsCount    *int64 `json:"comments_count"`
	MediaType        string `json:"media_type"`
	MediaProductType string `json:"media_product_type"`
	MediaURL         string `json:"media_url"`
	Permalink        string `json:"permalink"`
	Timestamp        string `json:"timestamp"`
}

type cursors struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

type paging struct {
	Cursors cursors `json:"cursors"`
	Next    string  `json:"next"`
}

type mediaEdge struct {
	Data   []media `json:"data"`
	Paging *paging `json:"paging"`
}

type businessUser struct {
	ID                string     `json:"id"`
	Username          string     `json:"username"`
	Name              string     `json:"name"`
	Biography         string     `json:"biography"`
	Website           string     `json:"website"`
	ProfilePictureURL string     `json:"profile_picture_url"`
	FollowersCount    *int64     `json:"followers_count"`
	FollowsCount      *int64     `json:"follows_count"`
	MediaCount        *int64     `json:"media_count"`
	Media             *mediaEdge `json:"media"`
}

// graphError is the Graph API's error object.
type graphError struct {
	Message      string `json:"message"`
	Type         string `json:"type"`
	Code         int    `json:"code"`
	ErrorSubcode int    `json:"error_subcode"`
	UserTitle    string `json:"error_user_title"`
	UserMsg      string `json:"error_user_msg"`
	FBTraceID    string `json:"fbtrace_id"`
}

type discoveryResponse struct {
	BusinessDiscovery *businessUser `json:"business_discovery"`
	ID                string        `json:"id"`
	Error             *graphError   `json:"error"`
}
