package inflate

import "io"

const (
	// ringChunks buffers let the inflater run ahead of the consumer by up
	// to 3 MiB, which absorbs a consumer's uneven pace.
	ringChunks = 4
	// chunkSize is large enough for ISA-L to inflate into it directly.
	chunkSize = 1 << 20
)

// NewParallelReader is NewReader with the inflating done by a goroutine
// into a ring of buffers, ahead of the reads. A consumer that does real
// work per byte, such as a CSV parser, then runs on one core while the
// data is inflated on another; a consumer that does little gains nothing
// and pays one more copy.
//
// The caller must call Close. Close stops the goroutine and waits for it,
// which means waiting for a read from r already under way to return.
func NewParallelReader(r io.Reader) (io.ReadCloser, error) {
	zr, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	p := &parallelReader{
		zr:     zr,
		free:   make(chan *chunk, ringChunks),
		full:   make(chan *chunk, ringChunks),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for range ringChunks {
		p.free <- &chunk{buf: make([]byte, chunkSize)}
	}
	go p.run()
	return p, nil
}

// chunk is one buffer of the ring: buf[off:n] is not yet read, and err
// follows it.
type chunk struct {
	buf    []byte
	off, n int
	err    error
}

type parallelReader struct {
	zr         io.ReadCloser
	free, full chan *chunk
	done       chan struct{} // closed by Close
	exited     chan struct{} // closed by run on return
	cur        *chunk        // the chunk being read, nil between chunks
	err        error         // sticky, once every chunk before it is read
	closed     bool
}

// run fills free chunks and passes them on, until an error (io.EOF at the
// end) or Close. It alone uses zr until it exits.
func (p *parallelReader) run() {
	defer close(p.exited)
	for {
		var c *chunk
		select {
		case c = <-p.free:
		case <-p.done:
			return
		}
		c.off, c.n, c.err = 0, 0, nil
		for c.n < len(c.buf) && c.err == nil {
			var m int
			m, c.err = p.zr.Read(c.buf[c.n:])
			c.n += m
		}
		select {
		case p.full <- c:
		case <-p.done:
			return
		}
		if c.err != nil {
			return
		}
	}
}

func (p *parallelReader) Read(b []byte) (int, error) {
	if p.closed {
		return 0, errClosed
	}
	for p.cur == nil || p.cur.off == p.cur.n {
		if p.cur != nil {
			if p.cur.err != nil {
				p.err = p.cur.err
			}
			p.free <- p.cur // never blocks: the ring has room for every chunk
			p.cur = nil
		}
		if p.err != nil {
			return 0, p.err
		}
		if len(b) == 0 {
			return 0, nil
		}
		p.cur = <-p.full
	}
	n := copy(b, p.cur.buf[p.cur.off:p.cur.n])
	p.cur.off += n
	return n, nil
}

// Close stops the inflating goroutine, waits for it, and closes the
// decompressor. It does not close the source.
func (p *parallelReader) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.done)
	<-p.exited
	return p.zr.Close()
}
