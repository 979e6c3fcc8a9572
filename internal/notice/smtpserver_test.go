package notice_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a real SMTP server process: Debian's aiosmtpd with its Debugging handler,
// which prints every message it receives.
type smtpServer struct {
	Port int
	mu   sync.Mutex
	out  bytes.Buffer
}

// freePort returns a loopback port nothing listens on (it was free a moment ago).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and returns their paths
// and a TLS configuration that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, trust *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// startSMTP runs aiosmtpd on port (0: a free one), with STARTTLS required when certFile is
// set, until the test ends.
func startSMTP(t *testing.T, port int, certFile, keyFile string) *smtpServer {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Fatal("no /usr/bin/python3: install Debian's python3-aiosmtpd (.ci/run does)")
	}
	if port == 0 {
		port = freePort(t)
	}
	s := &smtpServer{Port: port}
	args := []string{"-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + strconv.Itoa(port)}
	if certFile != "" {
		args = append(args, "--tlscert", certFile, "--tlskey", keyFile)
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("aiosmtpd: %v (install Debian's python3-aiosmtpd)", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			s.mu.Lock()
			s.out.WriteString(line)
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	for range 100 {
		// Ready when the server greets: a dial alone can "succeed" by connecting to itself (a
		// loopback port in the ephemeral range with nothing listening yet).
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
			_ = c.SetDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "220") {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("aiosmtpd did not start: %s", s.output())
	return nil
}

func (s *smtpServer) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// received is one message the server printed, decoded.
type received struct {
	Header mail.Header
	// Subject and Body are decoded (RFC 2047, quoted-printable).
	Subject, Body string
}

// messages returns the messages the server received so far.
func (s *smtpServer) messages(t *testing.T) []received {
	t.Helper()
	var out []received
	rest := s.output()
	for {
		_, after, ok := strings.Cut(rest, "---------- MESSAGE FOLLOWS ----------\n")
		if !ok {
			return out
		}
		msg, tail, ok := strings.Cut(after, "------------ END MESSAGE ------------")
		if !ok {
			return out
		}
		rest = tail
		// The handler prints the envelope's options before the message itself.
		for strings.HasPrefix(msg, "mail options:") || strings.HasPrefix(msg, "rcpt options:") || strings.HasPrefix(msg, "\n") {
			_, msg, _ = strings.Cut(msg, "\n")
		}
		m, err := mail.ReadMessage(strings.NewReader(msg))
		if err != nil {
			t.Fatalf("unreadable message: %v\n%s", err, msg)
		}
		body, _ := io.ReadAll(m.Body)
		if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		out = append(out, received{Header: m.Header, Subject: subject, Body: string(body)})
	}
}

// waitMessages waits until the server has received n messages.
func (s *smtpServer) waitMessages(t *testing.T, n int) []received {
	t.Helper()
	for range 200 {
		if m := s.messages(t); len(m) >= n {
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server received %d messages, want %d:\n%s", len(s.messages(t)), n, s.output())
	return nil
}
