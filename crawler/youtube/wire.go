package youtube

// The wire types mirror the Data API v3 resources. Only the fields the
// source reads are declared. Counts arrive as decimal strings (uint64) and
// may be absent (a hidden like count), so they stay strings here.

type thumbnail struct {
	URL string `json:"url"`
}

type thumbnails struct {
	Default *thumbnail `json:"default"`
	Medium  *thumbnail `json:"medium"`
	High    *thumbnail `json:"high"`
}

type channelListResponse struct {
	Items []channel `json:"items"`
}

type channel struct {
	ID      string `json:"id"`
	Snippet *struct {
		Title       string     `json:"title"`
		Description string     `json:"description"`
		CustomURL   string     `json:"customUrl"`
		PublishedAt string     `json:"publishedAt"`
		Thumbnails  thumbnails `json:"thumbnails"`
		Country     string     `json:"country"`
	} `json:"snippet"`
	Statistics *struct {
		ViewCount             string `json:"viewCount"`
		SubscriberCount       string `json:"subscriberCount"`
		HiddenSubscriberCount bool   `json:"hiddenSubscriberCount"`
		VideoCount            string `json:"videoCount"`
	} `json:"statistics"`
	ContentDetails *struct {
		RelatedPlaylists struct {
			Uploads string `json:"uploads"`
		} `json:"relatedPlaylists"`
	} `json:"contentDetails"`
}

type playlistItemListResponse struct {
	NextPageToken string         `json:"nextPageToken"`
	Items         []playlistItem `json:"items"`
}

type playlistItem struct {
	Snippet *struct {
		ResourceID struct {
			Kind    string `json:"kind"`
			VideoID string `json:"videoId"`
		} `json:"resourceId"`
	} `json:"snippet"`
	ContentDetails *struct {
		VideoID string `json:"videoId"`
	} `json:"contentDetails"`
}

type videoListResponse struct {
	Items []video `json:"items"`
}

type video struct {
	ID      string `json:"id"`
	Snippet *struct {
		PublishedAt          string `json:"publishedAt"`
		ChannelID            string `json:"channelId"`
		Title                string `json:"title"`
		Description          string `json:"description"`
		DefaultLanguage      string `json:"defaultLanguage"`
		DefaultAudioLanguage string `json:"defaultAudioLanguage"`
	} `json:"snippet"`
	Statistics *struct {
		ViewCount    string `json:"viewCount"`
		LikeCount    string `json:"likeCount"`
		CommentCount string `json:"commentCount"`
	} `json:"statistics"`
}

type commentThreadListResponse struct {
	NextPageToken string          `json:"nextPageToken"`
	Items         []commentThread `json:"items"`
}

type commentThread struct {
	ID      string `json:"id"`
	Snippet *struct {
		VideoID         string   `json:"videoId"`
		TopLevelComment *comment `json:"topLevelComment"`
	} `json:"snippet"`
}

type comment struct {
	ID      string `json:"id"`
	Snippet *struct {
		AuthorDisplayName string `json:"authorDisplayName"`
		AuthorChannelURL  string `json:"authorChannelUrl"`
		AuthorChannelID   *struct {
			Value string `json:"value"`
		} `json:"authorChannelId"`
		VideoID     string `json:"videoId"`
		TextDisplay string `json:"textDisplay"`
		LikeCount   int64  `json:"likeCount"`
		PublishedAt string `json:"publishedAt"`
	} `json:"snippet"`
}

type searchListResponse struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		ID struct {
			Kind      string `json:"kind"`
			ChannelID string `json:"channelId"`
		} `json:"id"`
		Snippet *struct {
			ChannelID string `json:"channelId"`
		} `json:"snippet"`
	} `json:"items"`
}

// errorResponse is the body of a Data API error.
type errorResponse struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Reason  string `json:"reason"`
			Domain  string `json:"domain"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"error"`
}
