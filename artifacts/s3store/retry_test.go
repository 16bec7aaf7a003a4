package s3store_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/artifacts/s3store/s3test"
	"litho/artifacts/storetest"
)

// flakyProxy forwards TCP connections to the S3 server and breaks the
// first `breaks` connections that carry more than `after` bytes in the
// chosen direction: a network that drops in the middle of a transfer.
type flakyProxy struct {
	target   string
	after    int64
	upstream bool // break client→server traffic (uploads) instead of downloads
	breaks   atomic.Int32
	broken   atomic.Int32
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

// track remembers a connection so that closing the proxy closes it.
func (p *flakyProxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

func (p *flakyProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func startFlakyProxy(t *testing.T, target string, after int64, upstream bool, breaks int32) *flakyProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &flakyProxy{target: target, after: after, upstream: upstream, ln: ln}
	p.breaks.Store(breaks)
	p.wg.Go(p.serve)
	t.Cleanup(p.close)
	return p
}

func (p *flakyProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.track(c)
		p.wg.Go(func() { p.handle(c) })
	}
}

func (p *flakyProxy) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.track(server)
	defer server.Close()
	down, up := io.Writer(client), io.Writer(server)
	cut := &cutter{p: p, conns: []net.Conn{client, server}}
	if p.upstream {
		cut.w = server
		up = cut
	} else {
		cut.w = client
		down = cut
	}
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, client); server.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(down, server); client.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	<-done
	<-done
}

// cutter writes through until the proxy's byte budget for one connection
// is spent, then (while breaks remain) closes both ends.
type cutter struct {
	p     *flakyProxy
	w     io.Writer
	n     int64
	conns []net.Conn
}

func (c *cutter) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	if c.n > c.p.after && c.p.breaks.Add(-1) >= 0 {
		c.p.broken.Add(1)
		for _, conn := range c.conns {
			conn.Close()
		}
		return 0, io.ErrClosedPipe
	}
	return c.w.Write(b)
}

// TestRetriesBrokenTransfers: a connection dropped in the middle of a
// download is resumed with a ranged request, and one dropped in the middle
// of an upload is retried; the bytes come out right either way.
func TestRetriesBrokenTransfers(t *testing.T) {
	direct, cfg := s3test.Open(t)
	cases := []struct {
		name     string
		upstream bool
	}{
		{"download", false},
		{"upload", true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := storetest.Bytes(uint64(77+i), 6<<20)
			proxy := startFlakyProxy(t, cfg.Endpoint, 1<<20, c.upstream, 1)
			pcfg := cfg
			pcfg.Endpoint = proxy.ln.Addr().String()
			be, err := s3store.Open(context.Background(), pcfg)
			if err != nil {
				t.Fatal(err)
			}
			var d artifacts.Digest
			if c.upstream {
				d = storetest.SaveBlob(t, be, data)
			} else {
				d = storetest.SaveBlob(t, direct, data)
			}
			got := storetest.MustRead(t, be, artifacts.Blobs, string(d))
			if !bytes.Equal(got, data) {
				t.Errorf("read %d bytes differing from the %d stored", len(got), len(data))
			}
			if proxy.broken.Load() != 1 {
				t.Errorf("the proxy broke %d connections, want 1 (the test did not exercise a retry)", proxy.broken.Load())
			}
		})
	}
}
