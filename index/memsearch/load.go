package memsearch

import (
	"context"
	"fmt"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// A full load on several goroutines. Splitting words and looking them up
// is most of a load's work, and each row's is independent: the goroutine
// reading the Source sets the columns and numbers the rows' documents in
// order, and hands the texts in batches to workers, each building postings
// of its own (its own word numbers, sorted lists of document numbers).
// Then each worker's lists become bitmaps, and the workers' words are
// numbered in the Index and their bitmaps joined, word by word, each word
// by one goroutine.

// loadBatch is how many rows a worker takes at a time.
const loadBatch = 256

type loadJob struct {
	docs  []uint32
	texts []Text
}

// partial is one worker's postings.
type partial struct {
	ids   map[string]uint32
	words []string
	lists [][nPlaces][]uint32 // local word id -> sorted document numbers by place
	bms   [][nPlaces]*roaring.Bitmap
	gid   []uint32 // local word id -> the Index's word id
}

func (p *partial) add(d uint32, text *Text) {
	for _, part := range [...]struct {
		text  string
		place int
	}{{text.Name, placeName}, {text.Handle, placeName}, {text.Bio, placeBio}, {text.Posts, placePosts}} {
		Words(part.text, func(w string) {
			id, ok := p.ids[w]
			if !ok {
				w = cloneString(w)
				id = uint32(len(p.words))
				p.ids[w] = id
				p.words = append(p.words, w)
				p.lists = append(p.lists, [nPlaces][]uint32{})
			}
			l := &p.lists[id][part.place]
			if n := len(*l); n > 0 && (*l)[n-1] == d {
				return
			}
			*l = append(*l, d)
		})
	}
}

// loadAll reads every row of src into x (reset) on x.loadWorkers
// goroutines. x.mu must be locked.
func (x *Index) loadAll(ctx context.Context, gen int64, src Source) error {
	n := x.loadWorkers
	parts := make([]*partial, n)
	jobs := make(chan *loadJob, 2*n)
	var wg sync.WaitGroup
	for i := range parts {
		p := &partial{ids: map[string]uint32{}}
		parts[i] = p
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				for k := range j.docs {
					p.add(j.docs[k], &j.texts[k])
				}
			}
		}()
	}
	t := x.text
	cur := &loadJob{}
	err := src.Rows(ctx, -1, func(r *Row) error {
		x.cols.remove(r.ID)
		x.cols.set(r.ID, r.Key, r.Values)
		cur.docs = append(cur.docs, t.newDoc(r.ID))
		cur.texts = append(cur.texts, r.Text)
		if len(cur.docs) == loadBatch {
			jobs <- cur
			cur = &loadJob{docs: make([]uint32, 0, loadBatch), texts: make([]Text, 0, loadBatch)}
		}
		return nil
	})
	if len(cur.docs) > 0 {
		jobs <- cur
	}
	close(jobs)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("reading field columns: %w", err)
	}
	// The filter bitmaps are built meanwhile, off the goroutine that read
	// the rows.
	marked := make(chan struct{})
	go func() {
		defer close(marked)
		x.bits.markAll(&x.cols, t.docOf)
	}()
	// Each worker's lists become bitmaps, in parallel.
	each(n, func(i int) {
		p := parts[i]
		p.bms = make([][nPlaces]*roaring.Bitmap, len(p.words))
		for id := range p.lists {
			for c := range nPlaces {
				if l := p.lists[id][c]; len(l) > 0 {
					bm := roaring.New()
					bm.AddMany(l)
					p.bms[id][c] = bm
				}
			}
			p.lists[id] = [nPlaces][]uint32{}
		}
	})
	// The words are numbered in the Index, in order.
	for _, p := range parts {
		p.gid = make([]uint32, len(p.words))
		for id, w := range p.words {
			p.gid[id] = t.word(w)
		}
	}
	// Each word's bitmaps are joined by one goroutine: the one whose
	// number it is modulo n.
	each(n, func(k int) {
		for _, p := range parts {
			for id, g := range p.gid {
				if int(g)%n != k {
					continue
				}
				for c := range nPlaces {
					bm := p.bms[id][c]
					switch {
					case bm == nil:
					case t.lists[g][c] == nil:
						t.lists[g][c] = bm
					default:
						t.lists[g][c].Or(bm)
					}
				}
			}
		}
	})
	t.settle(true)
	<-marked
	x.gen = gen
	return nil
}

// each runs fn(0) to fn(n-1) on n goroutines and waits for them.
func each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}
