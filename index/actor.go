package index

import "context"

type actorKey struct{}

// WithActor returns ctx naming who acts: the API key's name for a request
// to the API ("SCOUT_API_KEY" for that key, "local" when the API needs no
// key), "cli" for a command. Writes that record who made them (jobs,
// watchlists, opt-outs) read it with ActorFrom.
func WithActor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, actorKey{}, name)
}

// ActorFrom returns the actor WithActor set, or "".
func ActorFrom(ctx context.Context) string {
	s, _ := ctx.Value(actorKey{}).(string)
	return s
}
