package sim

import (
	"sort"
	"strconv"
	"strings"
)

// The simulator writes its own text: per-niche vocabularies and sentence
// templates written for it, deliberately independent of any scoring
// taxonomy, so that a niche scorer evaluated on the simulator is not graded
// on its own word lists.

// niche is one topic a simulated creator posts about.
type niche struct {
	name        string
	handle      []string // words that go into handles
	roles       []string // "Home cook", ...
	core        []string // bio topics naming the niche itself: "food", ...
	topics      []string // bio topics: "weeknight dinners", ...
	things      []string // nouns for posts: "lentil curry", ...
	adjs        []string
	tags        []string // hashtags without '#'
	posts       []string // templates: {thing} {thing2} {adj} {num} {tags}
	more        []string // further templates, used by generated (not named) creators
	moreReplies []string // further replies, used on generated creators' posts
	allReplies  []string // replies and moreReplies
	slotKeys    []string // the keys of slots, sorted
	allPosts    []string // posts and more
	replies     []string // niche replies from real followers: {thing}
	products    []string // what brands pay for
	brands      []string
	slots       map[string][]string // more {slot} words, by slot name
	extraBios   []string
}

// Niches lists the niche labels the simulator assigns, in a fixed order.
var Niches = []string{"food", "fitness", "gaming", "travel", "tech", "beauty", "finance", "music", "pets", "books"}

var niches = map[string]*niche{
	"food": {
		more: []string{
			"Sunday market haul: tomatoes, peaches and way too much basil. Dinner plans are forming {tags}",
			"Nobody warned me that proofing dough in a cold flat takes all day. Worth it though {tags}",
			"Three ingredients, ten minutes: {thing}. That's the whole post {tags}",
			"Asked my grandmother for her {thing} recipe and she said 'until it looks right'. Helpful. {tags}",
			"Burnt the first batch of {thing}, nailed the second. The kitchen still smells like smoke 😅",
			"What's your go-to lazy dinner? Mine is {adj} {thing} with whatever's in the fridge {tags}",
		},
		name:   "food",
		core:   []string{"food", "food and recipes", "vegan food", "comfort food", "food photography", "good food on a budget"},
		handle: []string{"eats", "kitchen", "cooks", "bakes", "vegan", "chef", "foodie", "recipes", "spoon"},
		roles:  []string{"Home cook", "Recipe developer", "Vegan chef", "Food photographer", "Pastry nerd", "Private chef", "Food writer"},
		topics: []string{"vegan recipes", "weeknight dinners", "sourdough baking", "plant-based meals", "street food finds", "easy recipes for busy people",
			"budget cooking", "meal prep ideas", "family recipes", "vegan desserts"},
		things: []string{"lentil curry", "sourdough loaf", "miso ramen", "banana bread", "tofu scramble", "chickpea stew", "focaccia", "cashew cheesecake",
			"mushroom risotto", "black bean tacos", "chocolate chip cookies", "pad thai", "roasted veggie bowl", "cinnamon rolls", "coconut dal"},
		adjs: []string{"crispy", "creamy", "smoky", "one-pot", "20-minute", "spicy", "cozy", "golden", "fluffy", "zesty"},
		tags: []string{"vegan", "recipes", "foodie", "baking", "plantbased", "homecooking", "whatsfordinner", "mealprep", "veganrecipes", "sourdough"},
		posts: []string{
			"Made {adj} {thing} tonight and it might be the best thing I've cooked all month. Recipe in the replies 👇 {tags}",
			"Weeknight win: {adj} {thing} in one pan, barely any dishes. {tags}",
			"Testing a new {thing} recipe for the blog. Batch {num} and I think we're finally there {tags}",
			"If you only cook one thing this weekend, make it this {thing}. Trust me. {tags}",
			"Meal prep Sunday: {thing}, {thing2} and a big jar of dressing. Lunches sorted for the week {tags}",
			"Unpopular opinion: {thing} is better the next day. Fight me 🍴",
			"The secret to a really {adj} {thing}? More salt and more patience than you think. {tags}",
			"Grocery haul turned into {thing} and {thing2}. Full recipes on the site {tags}",
			"Fully plant-based {thing} that my meat-loving dad asked seconds of 🌱 {tags}",
			"Sourdough starter is {num} days old and finally bubbly. Bake day tomorrow! {tags}",
		},
		replies:     []string{"Saving this {thing} recipe for the weekend!", "Did you use fresh or dried herbs in the {thing}?", "Made your {thing} last night, the whole family loved it", "Can I swap the oil for something lighter?", "This looks so good 😋 how long did it take?"},
		moreReplies: []string{"Is the {thing} freezer-friendly", "What can I use instead of the {thing2} bits", "The {adj} {thing} is going on my list for {when}", "Did you make the {thing} from scratch", "Your {thing} posts never miss"},
		products:    []string{"cast iron pan", "chef's knife", "oat milk", "meal kit", "stand mixer", "spice blend"},
		brands:      []string{"PanCraft", "GreenOat", "Spicebox", "FreshCrate", "KnifeWorks"},
		extraBios:   []string{"Cookbook out next spring.", "Recipes every Tuesday.", "Mostly vegetables, sometimes cake.", "Feeding people is my love language."},
	},
	"fitness": {
		more: []string{
			"Showed up tired, trained anyway, left feeling human again {tags}",
			"Your warm-up is not optional. Ten minutes now saves ten weeks of rehab later {tags}",
			"Deload week. Lighter weights, more sleep, zero guilt {tags}",
			"A client just hit her first unassisted pull-up at 52. Best part of my job 🙌 {tags}",
			"Tracked my steps for a month: the days I walked after lunch I slept better. Small things add up {tags}",
			"Sore from yesterday's {session}. Foam roller and I are not friends today {tags}",
		},
		name:   "fitness",
		slots:  map[string][]string{"kg": {"60", "72.5", "85", "100", "120", "140", "165", "180"}, "lift": {"deadlift", "squat", "bench press", "overhead press", "pull-up", "hip thrust"}, "session": {"leg day", "tempo run", "core circuit", "long run", "kettlebell", "mobility"}, "race": {"5k", "10k", "half marathon", "trail race"}},
		core:   []string{"fitness", "fitness coaching", "fitness for busy people", "functional fitness", "fitness and strength training"},
		handle: []string{"lifts", "fit", "strong", "runs", "gains", "coach", "movement", "sweat"},
		roles:  []string{"Personal trainer", "Strength coach", "Marathon runner", "Yoga teacher", "Physio and lifter", "Online fitness coach", "CrossFit athlete"},
		topics: []string{"strength training", "fitness for beginners", "home workouts", "running plans", "mobility routines", "fitness and nutrition",
			"kettlebell training", "powerlifting", "healthy habits", "HIIT workouts"},
		things: []string{"deadlift", "squat", "5k run", "kettlebell swing", "pull-up", "hip mobility flow", "leg day", "tempo run", "push-up progression",
			"core circuit", "bench press", "rest day", "long run", "protein breakfast"},
		adjs: []string{"brutal", "quick", "20-minute", "beginner-friendly", "heavy", "steady", "sweaty", "full-body", "low-impact"},
		tags: []string{"fitness", "gym", "workout", "strengthtraining", "running", "fitfam", "homeworkout", "mobility", "legday", "fitnessmotivation"},
		posts: []string{
			"New PR on the {lift} today: {kg} kg. Slow progress is still progress 💪 {tags}",
			"A {adj} {thing} workout you can do at home, no equipment needed. Save it for later {tags}",
			"Form check: most people rush the {lift}. Slow the lowering phase down and feel the difference {tags}",
			"Week {num} of the training block done. {thing} felt strong, {thing2} less so 😅 {tags}",
			"Reminder that a {session} counts as training too. Recovery is where you get stronger {tags}",
			"Clients keep asking about the {thing}, so here's my {adj} version in 4 steps {tags}",
			"5am {session} club checking in. Who else is up? {tags}",
			"You don't need a perfect program. You need a {adj} one you'll actually do. {tags}",
			"Ran my first {race} after the injury and nearly cried at the finish line 🏃 {tags}",
		},
		replies:     []string{"How many sets of {lift}s do you recommend for beginners?", "This {thing} tip fixed my lower back pain, thank you", "Needed this motivation today 💪", "What shoes do you use for running?", "Trying this workout tomorrow!"},
		moreReplies: []string{"My {lift} has been stuck for months, any tips", "Doing this {session} {when}", "How do you recover after a {session}", "Your {race} plan got me through mine", "Is the {lift} okay with a bad knee"},
		products:    []string{"protein powder", "running shoes", "resistance bands", "fitness tracker", "pre-workout", "yoga mat"},
		brands:      []string{"IronFuel", "StrideLab", "FlexBand", "PulseFit", "ZenMat"},
		extraBios:   []string{"Coaching spots open.", "Progress over perfection.", "Ex-couch potato.", "DM for online coaching."},
	},
	"gaming": {
		more: []string{
			"Three hours into a new save and I've done nothing but decorate my house. No regrets {tags}",
			"Patch notes just dropped and my main got nerfed again 😭 {tags}",
			"Controller drift is the true final boss {tags}",
			"Chat talked me into a no-damage run. Chat was wrong. {tags}",
			"Remember when games shipped finished on a cartridge? Anyway, day one patch is 40GB {tags}",
			"Which {game} should I stream next week? Drop suggestions below {tags}",
		},
		name:   "gaming",
		slots:  map[string][]string{"game": {"indie roguelike", "open-world RPG", "cozy farming game", "soulslike", "retro platformer", "strategy game", "co-op shooter"}, "boss": {"boss fight", "final dungeon", "raid boss", "last level", "secret boss"}, "retro": {"retro cartridge", "boxed SNES game", "Game Boy", "old console"}},
		core:   []string{"gaming", "PC gaming", "retro gaming", "cozy gaming", "gaming news"},
		handle: []string{"plays", "gamer", "pixel", "gg", "speedrun", "respawn", "quest", "games"},
		roles:  []string{"Variety streamer", "Speedrunner", "Indie game dev", "Retro gaming collector", "Esports caster", "Game reviewer", "Cozy gamer"},
		topics: []string{"gaming", "indie games", "retro gaming", "speedruns", "cozy games", "RPGs and strategy games", "live streams",
			"Nintendo and PC gaming", "game reviews", "game dev logs"},
		things: []string{"boss fight", "speedrun", "co-op session", "indie roguelike", "retro cartridge", "new patch", "ranked match", "stream", "pixel art level",
			"open-world RPG", "cozy farming game", "controller", "gaming setup", "final dungeon"},
		adjs: []string{"cursed", "cozy", "chaotic", "ridiculous", "underrated", "brutal", "gorgeous", "janky", "perfect"},
		tags: []string{"gaming", "indiegames", "retrogaming", "speedrun", "twitch", "gamedev", "cozygames", "videogames", "nintendo", "pcgaming"},
		posts: []string{
			"Finally beat that {adj} {boss} after {num} attempts. My hands are shaking 🎮 {tags}",
			"Going live in 30 minutes with {game} and way too much coffee {tags}",
			"This {adj} {game} deserves so much more attention. Go play it! {tags}",
			"Hot take: the {thing} in the new patch is completely broken and I love it {tags}",
			"New personal best on the {game} speedrun: {num} seconds faster than last week {tags}",
			"Dev log #{num}: added a {adj} {thing} and broke three other things {tags}",
			"Found a {retro} at a flea market for 5 bucks. Retro luck is real {tags}",
			"What's the most {adj} {game} you've ever played? Mine is below {tags}",
			"Thank you for {num}0 viewers last night, that {game} stream was chaos 💜 {tags}",
		},
		replies:     []string{"That {thing} was insane, clip it!", "What difficulty are you playing on?", "GG, that was a great stream", "Adding this to my wishlist right now", "Which controller do you use?"},
		moreReplies: []string{"Is the {game} worth it at full price", "I lost a whole weekend to that {game}", "Which {boss} gave you the most trouble", "Your {game} streams are my comfort watch", "Co-op {game} night {when}?"},
		products:    []string{"gaming headset", "mechanical keyboard", "gaming chair", "energy drink", "capture card", "controller"},
		brands:      []string{"HyperClick", "NovaGear", "RespawnSeat", "VoltDrink", "StreamForge"},
		extraBios:   []string{"Streaming Tue/Thu/Sat.", "Probably playing something cozy.", "Business: see link.", "Ranked grind never stops."},
	},
	"travel": {
		more: []string{
			"Got lost on purpose this afternoon and found the best coffee in town {tags}",
			"Window seat, 6am, clouds below. Still never gets old ✈️ {tags}",
			"Overpacked again. Wore the same two shirts all week. Every single trip {tags}",
			"Locals told us to skip the famous viewpoint and walk to the {place} instead. Locals were right {tags}",
			"Jet lag report: awake at 4am eating crackers in the dark {tags}",
			"Cheapest way we've found to get around the islands: the {transport}. Full breakdown on the blog {tags}",
		},
		name:   "travel",
		slots:  map[string][]string{"transport": {"night train", "island ferry", "overnight bus", "early flight", "regional train"}, "place": {"mountain village", "old town", "coastal trail", "street market", "sunrise viewpoint", "national park", "fishing harbour", "hilltop monastery"}, "bag": {"carry-on bag", "40-litre backpack", "duffel bag"}},
		core:   []string{"travel", "budget travel", "slow travel", "travel photography", "family travel"},
		handle: []string{"travels", "wanders", "abroad", "nomad", "roams", "trips", "passport", "journeys"},
		roles:  []string{"Travel writer", "Digital nomad", "Travel photographer", "Backpacker", "Slow traveller", "Van-lifer", "Travel planner"},
		topics: []string{"budget travel", "travel tips", "solo travel", "hidden gems in Europe", "train travel", "travel photography", "van life",
			"weekend trips", "hiking trails", "food and travel"},
		things: []string{"night train", "mountain village", "old town", "hostel", "coastal hike", "island ferry", "street market", "road trip",
			"sunrise viewpoint", "local guesthouse", "national park", "carry-on bag", "layover"},
		adjs: []string{"hidden", "unreal", "quiet", "budget", "breathtaking", "underrated", "sleepy", "wild", "colourful"},
		tags: []string{"travel", "solotravel", "travelphotography", "backpacking", "wanderlust", "vanlife", "traveltips", "hiking", "europe", "budgettravel"},
		posts: []string{
			"Took the {transport} from Vienna and woke up in a {adj} {place}. Zero regrets ✈️ {tags}",
			"Travel tip #{num}: book the {transport} two weeks ahead and save half the price {tags}",
			"This {adj} {place} had maybe {num} other visitors all day. Heaven {tags}",
			"Packing list for {num} weeks with just a {bag}. Thread 🧵 {tags}",
			"Lost my phone, missed the {transport}, ended up at the best dinner of the trip. Travel is funny like that {tags}",
			"Day {num} on the road. Today's plan: a {adj} {place} and absolutely nothing else {tags}",
			"The {place} everyone skips is the best part of the whole region {tags}",
			"Sunrise from the {place} was worth the 4am alarm 🌄 {tags}",
		},
		replies:     []string{"Adding this {place} to my bucket list!", "How did you get there from the airport?", "Stunning photos 😍", "Was it expensive to stay there?", "I was there last year, such a special place"},
		moreReplies: []string{"How many days would you give the {place}", "Was the {transport} comfortable for sleeping", "We're going {when}, any tips for the {place}", "That {place} looks unreal", "Which {bag} do you use"},
		products:    []string{"travel backpack", "eSIM plan", "travel insurance", "rail pass", "hotel booking app", "packing cubes"},
		brands:      []string{"Roamly", "PackLight", "SafeTrip", "RailGo", "StayWise"},
		extraBios:   []string{"42 countries and counting.", "Currently: somewhere with wifi.", "Slow travel over checklists.", "Guides on the blog."},
	},
	"tech": {
		more: []string{
			"Reading the docs before asking the question. Character growth {tags}",
			"Our on-call rotation survived a full month with zero pages. Writing that down before it changes {tags}",
			"Deleted 4,000 lines today and everything still works. Best commit of the year {tags}",
			"Tried the new release of our {thing} on a 10-year-old laptop. Still snappy {tags}",
			"If your README doesn't say how to run the tests, it isn't done {tags}",
			"Finally moved my notes out of a proprietary app into plain text files. Why did I wait so long {tags}",
		},
		name:   "tech",
		slots:  map[string][]string{"device": {"new laptop", "smartphone", "mechanical keyboard", "e-ink tablet", "mini PC"}, "pipeline": {"CI pipeline", "build", "deploy", "test suite"}},
		core:   []string{"tech", "tech reviews", "tech news", "consumer tech", "tech careers"},
		handle: []string{"codes", "dev", "tech", "builds", "hacks", "stack", "bytes", "cloud"},
		roles:  []string{"Software engineer", "Tech reviewer", "Open source maintainer", "Indie hacker", "DevOps engineer", "Data scientist", "Tech writer"},
		topics: []string{"tech reviews", "web development", "open source", "programming tips", "gadgets and tech news", "cloud infrastructure",
			"machine learning", "developer tools", "home lab projects", "Linux"},
		things: []string{"side project", "home lab", "mechanical keyboard", "new laptop", "Rust rewrite", "database migration", "CI pipeline", "Kubernetes cluster",
			"open source release", "smartphone", "code review", "REST API", "terminal setup", "Raspberry Pi"},
		adjs: []string{"tiny", "overengineered", "fast", "boring", "elegant", "cursed", "shiny", "reliable", "minimal"},
		tags: []string{"tech", "programming", "opensource", "webdev", "linux", "devops", "golang", "rust", "gadgets", "homelab"},
		posts: []string{
			"Shipped a {adj} {thing} this weekend. {num} lines, zero dependencies {tags}",
			"Hot take: your {thing} does not need to be {adj}. Boring tech wins {tags}",
			"Spent {num} hours debugging the {thing}. It was DNS. It's always DNS {tags}",
			"Review: the {device} after {num} weeks. Short version: surprisingly good {tags}",
			"New blog post on how we cut our {pipeline} time in half {tags}",
			"My {adj} home lab is finally done. Pics of the rack below 🖥️ {tags}",
			"PSA: update your {thing} today, there's a nasty bug in the last version {tags}",
			"Pairing with a junior dev on a {thing} today reminded me how much I still learn every week {tags}",
		},
		replies:     []string{"Is the {thing} open source? Would love to try it", "We hit the same issue with our {thing}", "Great write-up, bookmarked", "Which distro are you running?", "How does it compare to the previous version?"},
		moreReplies: []string{"Does the {device} run Linux okay", "We moved our {pipeline} too and never looked back", "What did you use to profile the {thing}", "Would love a write-up on the {thing}", "How's the battery on the {device}"},
		products:    []string{"laptop", "VPN", "cloud hosting", "standing desk", "monitor", "coding course"},
		brands:      []string{"ByteHost", "ClearVPN", "DeskLift", "PixelView", "CodeCamp"},
		extraBios:   []string{"Opinions are my own.", "Writing about software at my blog.", "Building in public.", "he/him"},
	},
	"beauty": {
		more: []string{
			"Skin barrier repair update: week three, much less redness, still no fragrance anywhere near my face {tags}",
			"Hot take: you don't need a ten-step routine. Cleanser, moisturiser, SPF. Done {tags}",
			"Swatched every nude lipstick in the shop and bought none. Classic {tags}",
			"Wedding trial today: soft glam, long-wear base, lashes that survive crying 💍 {tags}",
			"Finally found a {makeup} that matches my undertone. Only took ten years {tags}",
			"Reading ingredient lists so you don't have to: this week, the {adj} {skincare} everyone is talking about {tags}",
		},
		name:   "beauty",
		slots:  map[string][]string{"makeup": {"foundation", "lip tint", "eyeliner", "blush", "mascara", "brow gel", "concealer"}, "makeup2": {"bronzer", "lip balm", "highlighter", "setting spray"}, "skincare": {"serum", "night cream", "retinol", "cleansing balm", "toner", "moisturiser"}},
		core:   []string{"beauty", "clean beauty", "beauty reviews", "everyday beauty", "beauty on a budget"},
		handle: []string{"glow", "beauty", "makeup", "skin", "lashes", "blush", "glam"},
		roles:  []string{"Makeup artist", "Skincare nerd", "Beauty creator", "Licensed esthetician", "Nail artist", "Hairstylist", "Beauty editor"},
		topics: []string{"skincare routines", "makeup tutorials", "beauty reviews", "clean beauty", "hair care", "nail art", "makeup for beginners",
			"drugstore beauty", "skincare for sensitive skin", "beauty tips"},
		things: []string{"serum", "foundation", "sunscreen", "lip tint", "night cream", "eyeliner", "blush", "retinol", "cleansing balm", "mascara",
			"curly hair routine", "gel manicure", "brow gel", "toner"},
		adjs: []string{"dewy", "glowy", "matte", "lightweight", "budget", "gentle", "bold", "soft", "long-lasting"},
		tags: []string{"beauty", "skincare", "makeup", "makeuptutorial", "skincareroutine", "glowup", "nails", "haircare", "beautytips", "spf"},
		posts: []string{
			"Tried the viral {thing} for {num} days. Honest review below 💄 {tags}",
			"My {adj} everyday makeup in 5 minutes: {makeup}, {makeup2}, done {tags}",
			"Skincare reminder: sunscreen every single day, even when it's cloudy ☀️ {tags}",
			"Dupes that are just as good: a {adj} {thing} for a third of the price {tags}",
			"Empties of the month: {num} products, only the {thing} gets repurchased {tags}",
			"Sensitive skin? Patch test the {skincare} first. Learned that the hard way {tags}",
			"Get ready with me: {adj} look for a wedding, starting with {makeup} {tags}",
			"This {skincare} made my skin {adj} in a week and I'm not even exaggerating ✨ {tags}",
		},
		replies:     []string{"What shade of {makeup} are you wearing?", "Is this {skincare} okay for oily skin?", "You look gorgeous 😍", "Adding to cart right now", "Do you have a code for this?"},
		moreReplies: []string{"Does the {skincare} pill under makeup", "Need a dupe for that {makeup}", "Is the {skincare} fragrance-free", "Your {makeup} tutorials saved me {when}", "What order do you layer the {skincare} in"},
		products:    []string{"serum", "sunscreen", "foundation", "hair dryer", "skincare set", "lip kit"},
		brands:      []string{"Lumière Lab", "DewDrop", "SkinTrue", "GlowHaus", "Velvet & Co"},
		extraBios:   []string{"Honest reviews only.", "Sensitive skin club.", "PR friendly.", "Tutorials every Friday."},
	},
	"finance": {
		more: []string{
			"Automated my savings on payday and stopped thinking about it. Best money decision I've made {tags}",
			"Lifestyle creep is sneaky. A raise is a chance to save more, not just spend more {tags}",
			"Checked my subscriptions today: paying for three streaming services I haven't opened since spring {tags}",
			"Markets down this week. My plan: do nothing and keep buying {invest} every month {tags}",
			"Reader question: rent or buy? It depends, and here's the spreadsheet to find out for you {tags}",
			"Your net worth is not your self-worth. Still, tracking it once a quarter helps {tags}",
		},
		name:   "finance",
		slots:  map[string][]string{"debt": {"credit card debt", "car loan", "student loan", "overdraft"}, "invest": {"an index fund", "a retirement account", "a dividend portfolio"}},
		core:   []string{"personal finance", "finance tips", "money and finance", "finance for beginners", "finance news"},
		handle: []string{"money", "invests", "finance", "budget", "wealth", "cents", "stocks"},
		roles:  []string{"Financial planner", "Personal finance writer", "Index investor", "Frugal living blogger", "Accountant", "Economics teacher", "Debt-free coach"},
		topics: []string{"personal finance", "investing for beginners", "budgeting", "index funds", "paying off debt", "financial independence",
			"saving money", "retirement planning", "money tips", "frugal living"},
		things: []string{"emergency fund", "index fund", "budget spreadsheet", "credit card debt", "retirement account", "savings rate", "compound interest",
			"side hustle", "tax return", "dividend portfolio", "grocery budget", "mortgage"},
		adjs: []string{"boring", "simple", "realistic", "cheap", "stress-free", "automatic", "honest", "long-term"},
		tags: []string{"personalfinance", "investing", "budgeting", "money", "fire", "debtfree", "savings", "indexfunds", "frugal", "financialfreedom"},
		posts: []string{
			"Reminder: a {adj} budget beats a clever one you abandon in March {tags}",
			"We paid off the last of our {debt} today. {num} months of rice and beans 🎉 {tags}",
			"Your first goal isn't investing. It's an emergency fund. Here's how to build one {tags}",
			"Ran the numbers on {thing} vs {thing2} for a reader. The answer surprised me {tags}",
			"My {adj} budget spreadsheet template is free, link below. {num} people downloaded it this week {tags}",
			"Compound interest is boring right up until it isn't. {num} years of data in one chart {tags}",
			"Money myth: you need a lot to start with {invest}. You don't {tags}",
			"Monthly check-in: savings rate {num}%, {thing} on track, no drama {tags}",
		},
		replies:     []string{"Started my {thing} because of you, thank you", "What about if you have student loans too?", "Can you share the spreadsheet?", "This is such solid advice", "Do you recommend a specific broker?"},
		moreReplies: []string{"How big should the emergency fund be with kids", "Paid off my {debt} {when} thanks to your posts", "Is {invest} better than paying the mortgage down", "Could you do a post on {debt} strategies", "Your spreadsheet changed how I see my {thing}"},
		products:    []string{"budgeting app", "brokerage account", "credit card", "finance course", "savings account"},
		brands:      []string{"CoinNest", "Stackwise", "Budgetly", "NorthBank", "YieldUp"},
		extraBios:   []string{"Not financial advice.", "Ex-banker, recovering.", "Newsletter every Sunday.", "Debt-free since 2022."},
	},
	"music": {
		more: []string{
			"Spent all day on a two-second transition. Nobody will notice. I will notice {tags}",
			"Restrung the old acoustic and it sounds brand new 🎸 {tags}",
			"Soundcheck at 5, doors at 7, nerves at all times {tags}",
			"Ear training tip: sing the bassline before you play it {tags}",
			"Mixed this track on headphones, checked it in the car, started over. The car never lies {tags}",
			"Came for one record, left with six. The {record} alone was worth the trip {tags}",
		},
		name:   "music",
		slots:  map[string][]string{"piece": {"demo", "guitar riff", "synth patch", "chord progression", "drum loop", "bassline", "melody"}, "release": {"single", "EP", "music video", "remix"}, "gear": {"synth", "drum machine", "tape deck", "guitar amp", "mixing desk"}, "show": {"live set", "open mic", "gig", "album launch"}, "record": {"jazz record", "soul 7-inch", "first pressing", "vinyl"}},
		core:   []string{"music", "new music", "music production", "live music", "music for rainy days"},
		handle: []string{"music", "beats", "sings", "guitar", "synth", "keys", "tunes", "vinyl"},
		roles:  []string{"Singer-songwriter", "Music producer", "Session guitarist", "DJ", "Piano teacher", "Vinyl collector", "Composer"},
		topics: []string{"music production", "indie music", "guitar covers", "songwriting", "synths and drum machines", "live music", "vinyl records",
			"piano lessons", "new music every Friday", "jazz and soul"},
		things: []string{"demo", "new single", "guitar riff", "synth patch", "chord progression", "vinyl pressing", "live set", "drum loop", "cover",
			"home studio", "open mic", "music video", "bassline", "EP"},
		adjs: []string{"moody", "lo-fi", "dreamy", "upbeat", "raw", "funky", "haunting", "warm", "catchy"},
		tags: []string{"music", "newmusic", "songwriter", "musicproducer", "guitar", "synth", "vinyl", "indiemusic", "livemusic", "producer"},
		posts: []string{
			"Wrote a {adj} little {piece} at 2am. Keeping it? 🎶 {tags}",
			"New {release} out Friday! {num} months of work in 3 minutes {tags}",
			"Here's the {thing} I couldn't stop playing this week {tags}",
			"Home studio tour: a {adj} {gear} and too many cables {tags}",
			"Thank you to the {num}0 people who came to the {show} last night. You were loud ❤️ {tags}",
			"Producers: how do you make a {piece} sound {adj} without losing the punch? {tags}",
			"Dug up this {record} from a record shop for 3 euros. Still in love {tags}",
			"Learning a {adj} {piece} on piano, day {num} {tags}",
		},
		replies:     []string{"That {piece} gave me chills", "When is it on streaming?", "What synth is that?", "Playing this on repeat", "Please tour near us!"},
		moreReplies: []string{"What's the {gear} in the background", "Is the {release} on vinyl too", "Saw you at the {show}, what a night", "That {piece} is stuck in my head", "Do you sell the {piece} as a sample pack"},
		products:    []string{"headphones", "audio interface", "guitar strings", "music streaming plan", "plugin bundle", "studio monitors"},
		brands:      []string{"SoundHive", "StringTheory", "WaveDesk", "TuneBox", "EchoGear"},
		extraBios:   []string{"New EP out now.", "Booking: see link.", "Songs about small things.", "Tape hiss enthusiast."},
	},
	"pets": {
		more: []string{
			"Adopted a senior dog last spring. Slow walks, long naps, perfect company {tags}",
			"The cat has claimed the new laptop bag. It is no longer a laptop bag {tags}",
			"Reminder: grapes, chocolate and onions are toxic for dogs. Keep the holiday table out of reach {tags}",
			"Bath day. Everyone is wet. Mostly me {tags}",
			"Our foster kitten went from hiding under the sofa to sleeping on my chest in two weeks 🥹 {tags}",
			"Walked the {pet} in the rain and now the whole flat smells like wet fur {tags}",
		},
		name:   "pets",
		slots:  map[string][]string{"pet": {"golden retriever", "rescue cat", "puppy", "senior dog", "foster kitten", "beagle", "tabby", "greyhound"}, "years": {"two", "three", "five", "seven", "ten"}, "skill": {"recall training", "loose-leash walking", "crate training", "sit and stay"}},
		core:   []string{"pets", "pet care", "rescue pets", "pet training", "life with pets"},
		handle: []string{"pups", "paws", "dogs", "cats", "woof", "meow", "pets", "kitty"},
		roles:  []string{"Dog trainer", "Cat mom", "Rescue volunteer", "Vet nurse", "Dog dad", "Pet photographer", "Foster parent"},
		topics: []string{"pet care", "dog training", "rescue cats", "adopt don't shop", "puppy tips", "senior dogs", "pet health", "cat behaviour",
			"life with a rescue dog", "pets of the internet"},
		things: []string{"golden retriever", "rescue cat", "puppy", "dog walk", "vet visit", "cat tree", "chew toy", "senior dog", "foster kitten",
			"recall training", "leash", "adoption day", "dog park", "grooming session"},
		adjs: []string{"sleepy", "dramatic", "fluffy", "goofy", "tiny", "brave", "chaotic", "grumpy", "gentle"},
		tags: []string{"pets", "dogsofbluesky", "catsofbluesky", "adoptdontshop", "rescuedog", "puppy", "dogtraining", "cats", "dogs", "petcare"},
		posts: []string{
			"My {adj} {pet} learned to open the fridge. We are in trouble 🐾 {tags}",
			"Training tip: practise {skill} for {num} minutes a day, never more {tags}",
			"Happy {adj} Sunday from this {pet} {tags}",
			"{years} years ago today we brought home a {adj} {pet}. Best decision ever ❤️ {tags}",
			"The vet visit went well! Clean bill of health and extra treats {tags}",
			"PSA: check your {pet}'s paws before every walk, saw a scary one today {tags}",
			"Our {pet} found a forever home today 😭 {tags}",
			"Nobody: \nMy {pet}: *does the zoomies at 3am* {tags}",
		},
		replies:     []string{"Look at that face 😍 give your {pet} a treat from me", "My dog does the exact same thing", "What breed is this?", "So happy for the adoption!", "This made my day"},
		moreReplies: []string{"How old is your {pet}", "Our {pet} does the exact same thing", "How did you start {skill}", "Give the {pet} a scratch from us", "Any tips for {skill} with a stubborn {pet}"},
		products:    []string{"dog food", "cat litter", "pet insurance", "dog harness", "pet camera", "grooming kit"},
		brands:      []string{"HappyPaw", "Whisker & Co", "PetSure", "BarkBox Pro", "TailWag"},
		extraBios:   []string{"Two dogs, one cat, zero peace.", "Adopt don't shop.", "Fostering since 2019.", "Treat dispenser."},
	},
	"books": {
		more: []string{
			"Started a book at 10pm 'just for one chapter'. It is now 2am {tags}",
			"Library haul! Seven holds came in at once, as they always do {tags}",
			"Annotating in pencil so future me knows what past me was thinking {tags}",
			"DNF at page 80 and I feel no guilt. Life is too short {tags}",
			"The best thing about a reading slump is the book that ends it {tags}",
			"Currently reading three books at once: one at home, one on the train, one audiobook on walks {tags}",
		},
		name:   "books",
		slots:  map[string][]string{"draft": {"first draft", "second draft", "short story", "manuscript"}},
		core:   []string{"books", "book reviews", "books and coffee", "fantasy books", "books worth reading"},
		handle: []string{"reads", "books", "pages", "library", "novel", "bookish", "chapters", "ink"},
		roles:  []string{"Book reviewer", "Librarian", "Fantasy author", "Bookseller", "Poet", "Literature teacher", "Audiobook narrator"},
		topics: []string{"book reviews", "fantasy books", "reading challenges", "literary fiction", "romance novels", "book recommendations", "writing a novel",
			"classic books", "mystery and thriller books", "poetry"},
		things: []string{"fantasy series", "debut novel", "thriller", "poetry collection", "book haul", "reading nook", "audiobook", "short story", "classic",
			"second draft", "library book", "book club pick", "romance novel", "TBR pile"},
		adjs: []string{"cozy", "devastating", "slow-burn", "twisty", "gorgeous", "underrated", "comforting", "haunting", "clever"},
		tags: []string{"books", "booksky", "reading", "bookreview", "amreading", "fantasy", "booklover", "writingcommunity", "bookclub", "tbr"},
		posts: []string{
			"Just finished a {adj} {thing} and I need {num} business days to recover 📚 {tags}",
			"Book {num} of the year: a {adj} {thing}. Full review on the blog {tags}",
			"My TBR pile is getting out of hand. Send help (or more shelves) {tags}",
			"If you liked a {adj} {thing}, try this {thing2} next {tags}",
			"Writing update: the {draft} is done! {num},000 words of chaos {tags}",
			"Rainy day, tea, and a {adj} {thing}. Perfect Sunday {tags}",
			"Hot take: a {thing} doesn't need to be long to be great {tags}",
			"This month's {thing} sparked the best discussion we've had in years {tags}",
		},
		replies:     []string{"Adding this {thing} to my TBR!", "Is it part of a series?", "I cried at the ending too", "Our book club read this last month", "Any similar recommendations?"},
		moreReplies: []string{"Is the {thing} worth it if I didn't love book one", "Reading the {thing} {when} because of you", "Your {thing} reviews are the only ones I trust", "Which edition of the {thing} is that", "Need a buddy read for the {thing}"},
		products:    []string{"e-reader", "audiobook subscription", "book box", "reading lamp", "bookmark set"},
		brands:      []string{"PageTurner", "InkWell", "Novelty Box", "ReadLight", "Chapterly"},
		extraBios:   []string{"Currently reading: too many books.", "Reviews are honest.", "Mostly fantasy, some crime.", "Bookshop owner."},
	},
}

func init() {
	for _, n := range niches {
		n.allPosts = append(append([]string{}, n.posts...), n.more...)
		n.allReplies = append(append([]string{}, n.replies...), n.moreReplies...)
		for k := range n.slots {
			n.slotKeys = append(n.slotKeys, k)
		}
		sort.Strings(n.slotKeys)
	}
}

var firstNames = []string{"maya", "leo", "sofia", "noah", "emma", "lucas", "ava", "mateo", "zoe", "omar", "hana", "ben", "nina", "kai", "lena",
	"sam", "ivy", "theo", "aria", "jonas", "mila", "eli", "rosa", "finn", "nora", "arjun", "chloe", "diego", "yuki", "amara", "jake", "lila",
	"marco", "tess", "felix", "iris", "ravi", "june", "oscar", "ella", "tomas", "priya", "max", "ruby", "jin", "clara", "alex", "fatima", "hugo", "zara"}

var lastNames = []string{"rivera", "chen", "novak", "okafor", "silva", "larsen", "khan", "moreau", "tanaka", "schmidt", "kowalski", "haddad",
	"murphy", "rossi", "park", "jensen", "alvarez", "nguyen", "fischer", "ali", "bennett", "costa", "ivanova", "walsh", "sato"}

var cities = []string{"Lisbon", "Berlin", "Austin", "Toronto", "Manchester", "Melbourne", "Mexico City", "Seoul", "Portland", "Barcelona",
	"Dublin", "Cape Town", "Chicago", "Oslo", "Bristol", "Denver", "Lyon", "Vancouver"}

// offTopic are posts any creator might write, about nothing in particular.
var offTopic = []string{
	"Monday again. Coffee first, everything else later ☕",
	"Thank you all for the kind messages this week, it means a lot 💛",
	"Anyone else watching the game tonight?",
	"Took the day off. Sunshine and a long walk, that's it.",
	"Reminder to drink some water and stand up for a minute.",
	"Can't believe it's already {month}. Where did the year go?",
	"Small life update: we moved! Boxes everywhere.",
	"Happy birthday to my little sister, the funniest person I know 🎂",
	"Rain all week. Productive indoors, grumpy outdoors.",
	"What are you all up to this weekend?",
	"Voting today, don't forget to go too.",
	"Trying to spend less time on my phone. Posting this from my phone.",
	"Weekend mood: pancakes and zero plans.",
	"Got my flu shot today, arm is sore but worth it.",
}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// botReplies are what bot commenters say, on every post alike.
var botReplies = []string{"Nice post!", "🔥🔥🔥", "Great content!", "Love this ❤️", "Amazing 😍", "Wow!", "Awesome!", "Keep it up 👏",
	"So true!", "💯💯", "Beautiful!", "Great job!"}

// genericHumanReplies are what real followers say on any post.
var genericHumanReplies = []string{"Ha, this is so relatable", "Love this, thanks for sharing", "Needed to see this today",
	"Congrats, well deserved!", "Following for more of this", "Okay this made me smile", "Wait, how did I miss this?"}

var followerBios = []string{
	"Coffee, cats and too many browser tabs.", "Nurse. Runner. Tired.", "Teacher by day, reader by night 📚", "Dad of two. Bad at golf.",
	"Just here for the recipes and the dogs", "Student. Mostly lurking.", "Designer in {city}", "Gardener, cyclist, amateur baker",
	"Posting about whatever I'm into this week", "Software, hiking, board games", "She/her. Plants and podcasts.", "Retired and loving it",
	"Photographer on weekends", "Lifelong learner", "Bookworm and tea drinker", "{city} based. Music and football.",
}

var spamBios = []string{"DM for promo 💰", "Follow back 100%", "💸💸 crypto signals 💸💸", "Check my link 🔗", ""}

var esPhrases = []string{"¡Buenos días a todos!", "Qué semana más larga.", "Gracias por todo el apoyo ❤️", "Nuevo contenido pronto.", "¿Qué opináis?"}
var dePhrases = []string{"Guten Morgen zusammen!", "Was für eine Woche.", "Danke für eure Unterstützung ❤️", "Bald gibt es mehr.", "Was meint ihr?"}
var ptPhrases = []string{"Bom dia, pessoal!", "Que semana longa.", "Obrigada pelo apoio ❤️", "Novidades em breve.", "O que vocês acham?"}

// langTemplates are whole posts in other languages; {thing} keeps the
// niche's (often English) noun, as creators writing in these languages use
// them too.
var langTemplates = map[string][]string{
	"es": {
		"Hoy toca {thing} y estoy feliz 🙌 {tags}",
		"Mi {thing} favorito de la semana. ¿Qué opináis? {tags}",
		"Probando {thing} por primera vez, os cuento mañana {tags}",
		"Gracias por estar ahí. Mañana más {thing} {tags}",
		"Nadie: \nYo a las 2 de la mañana pensando en {thing} {tags}",
	},
	"de": {
		"Heute gibt es {thing} und ich freue mich riesig 🙌 {tags}",
		"Mein {thing} der Woche. Was meint ihr? {tags}",
		"Zum ersten Mal {thing} ausprobiert, Bericht folgt morgen {tags}",
		"Danke, dass ihr dabei seid. Morgen mehr {thing} {tags}",
		"Kleiner Tipp zum Wochenende: {thing}. Einfach machen {tags}",
	},
	"pt": {
		"Hoje é dia de {thing} e estou muito feliz 🙌 {tags}",
		"Meu {thing} favorito da semana. O que vocês acham? {tags}",
		"Testando {thing} pela primeira vez, conto tudo amanhã {tags}",
		"Obrigada por estarem aqui. Amanhã tem mais {thing} {tags}",
		"Dica do fim de semana: {thing}. Simples assim {tags}",
	},
}

var langPhrases = map[string][]string{"es": esPhrases, "de": dePhrases, "pt": ptPhrases}

// fill replaces {thing}, {thing2}, {adj}, {num}, {month}, {city} and
// {tags} in tpl.
func fill(r *rng, n *niche, tpl string, tags string) string {
	t1 := pick(r, n.things)
	t2 := pick(r, n.things)
	for tries := 0; t2 == t1 && tries < 4; tries++ {
		t2 = pick(r, n.things)
	}
	adj, num, month, city := pick(r, n.adjs), strconv.Itoa(2+r.intn(40)), pick(r, months), pick(r, cities)
	var slots map[string]string
	for _, k := range n.slotKeys {
		if strings.Contains(tpl, "{"+k+"}") {
			if slots == nil {
				slots = map[string]string{}
			}
			slots[k] = pick(r, n.slots[k])
		}
	}
	var b strings.Builder
	b.Grow(len(tpl) + 48)
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			break
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			break
		}
		b.WriteString(tpl[:i])
		key := tpl[i+1 : i+j]
		switch key {
		case "thing":
			b.WriteString(t1)
		case "thing2":
			b.WriteString(t2)
		case "adj":
			b.WriteString(adj)
		case "num":
			b.WriteString(num)
		case "month":
			b.WriteString(month)
		case "city":
			b.WriteString(city)
		case "tags":
			b.WriteString(tags)
		default:
			if v, ok := slots[key]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(tpl[i : i+j+1])
			}
		}
		tpl = tpl[i+j+1:]
	}
	return strings.TrimSpace(b.String())
}

// hashtagsFor picks 0-3 hashtags of n.
func hashtagsFor(r *rng, n *niche) string {
	k := []int{0, 1, 1, 2, 2, 3}[r.intn(6)]
	seen := map[string]bool{}
	var b []string
	for i := 0; i < k; i++ {
		t := pick(r, n.tags)
		if !seen[t] {
			seen[t] = true
			b = append(b, "#"+t)
		}
	}
	return strings.Join(b, " ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Parts of what genuine followers reply: varied like real replies, so that a
// creator's genuine comments rarely repeat word for word.
var (
	replyOpeners = []string{"Honestly", "Oh wow", "Ha", "Okay", "Not gonna lie", "Wait", "Omg", "Yes", "Ahh", "Same",
		"Oh nice", "Hmm", "Ooh", "Wow", "Right?", "Lol"}
	replyBodies = []string{
		"my {relative} would love this", "sending this to my {relative} right now",
		"I tried something like this {when} and it went terribly", "how long did this take you?",
		"saving this for {when}", "this is exactly what I needed {when}", "you make it look so easy",
		"been following you for {years} years and this might be my favourite post", "this reminds me of {memory}",
		"do you have a longer video of this?", "where do you find the time?", "this made my {timeofday}",
		"I have so many questions", "my {relative} and I were just talking about this",
		"can you do a post about how you started?", "okay but why have I never thought of this",
		"showing this to my {relative} {when}", "this is the content I'm here for", "I've been doing this wrong for years",
		"you explain things so clearly", "bookmarking this for {when}", "how did you learn all this?",
		"my {relative} got me into your posts and now I'm hooked", "trying this {when}, wish me luck",
		"this popped up right when I needed it", "so glad I found your account", "the details in this are so good",
		"can't believe this only has a few likes", "this would make a great series", "screenshotting this for {when}",
	}
	replyTails = []string{"thanks for sharing", "can't wait to try it", "keep them coming", "you're the best",
		"more of this please", "following for more", "so helpful", "take my money", "bookmarking", "instant save"}
	replyEmoji = []string{"", "", "", " 😂", " 🙌", " ❤️", " 😍", " 👏"}
	replySlots = map[string][]string{
		"relative": {"mum", "dad", "sister", "brother", "partner", "roommate", "best friend", "kids", "coworker", "grandma",
			"husband", "wife", "boyfriend", "girlfriend"},
		"when":      {"this weekend", "tonight", "after work", "on Sunday", "next month", "tomorrow", "last week", "before my holiday", "this summer", "later"},
		"memory":    {"my first flat", "my uni days", "a trip I took years ago", "my grandad's kitchen", "summers at the lake"},
		"timeofday": {"morning", "day", "week", "evening", "commute"},
		"years":     {"two", "three", "four", "five"},
	}
	replySlotNames = []string{"memory", "relative", "timeofday", "when", "years"}
)

// legacyReply is the first, much more repetitive reply generator, kept for
// the named creators only: other packages' tests (watch) were calibrated on
// the scores it gives them.
func legacyReply(r *rng, n *niche) string {
	if r.chance(0.6) {
		return fill(r, n, pick(r, n.replies), "")
	}
	return pick(r, genericHumanReplies)
}

// humanReply writes one genuine follower's reply to a post about niche n.
func humanReply(r *rng, n *niche) string {
	if r.chance(0.06) {
		return pick(r, genericHumanReplies)
	}
	var body string
	if r.chance(0.55) {
		body = strings.TrimRight(fill(r, n, pick(r, n.allReplies), ""), ".!")
	} else {
		body = pick(r, replyBodies)
		for _, k := range replySlotNames {
			if strings.Contains(body, "{"+k+"}") {
				body = strings.ReplaceAll(body, "{"+k+"}", pick(r, replySlots[k]))
			}
		}
	}
	out := body
	if r.chance(0.7) {
		out = pick(r, replyOpeners) + ", " + lowerFirst(body)
	}
	if r.chance(0.45) {
		if !strings.HasSuffix(out, "?") {
			out += "."
		}
		out += " " + capitalize(pick(r, replyTails))
	}
	return capitalize(out) + pick(r, replyEmoji)
}

func lowerFirst(s string) string {
	if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z') && !strings.HasPrefix(s, "I ") {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}
