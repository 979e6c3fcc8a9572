package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// portalBinary is the portal binary at path, or when path is empty one built from this module
// into a temporary directory, which remove removes.
func portalBinary(path string) (bin string, remove func(), err error) {
	if path != "" {
		return path, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "loadtest")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "portal")
	if b, err := exec.Command("go", "build", "-o", bin, "github.com/smsmfa/portal").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build the portal: %v\n%s", err, b)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// portalEnv is a portal's configuration against the emulator, as the web app webID, public
// at public.
func portalEnv(emu *pingonetest.Server, public, webID, workerSecret, webSecret, sessionKey string) []string {
	return []string{
		"PORTAL_PUBLIC_URL=" + public, "PINGONE_ENVIRONMENT_ID=" + emu.EnvironmentID(),
		"PINGONE_API_BASE=" + emu.APIBase(), "PINGONE_AUTH_BASE=" + emu.AuthBase(),
		"PINGONE_WORKER_CLIENT_ID=worker", "PINGONE_WORKER_CLIENT_SECRET=" + workerSecret,
		"PINGONE_WEB_CLIENT_ID=" + webID, "PINGONE_WEB_CLIENT_SECRET=" + webSecret,
		"SESSION_KEYS=" + sessionKey, "TRUSTED_PROXIES=127.0.0.1", "LOG_LEVEL=warn", "PINGONE_TIMEOUT=20s", "ALLOWED_REGIONS=US",
	}
}

// portal is the one portal of the journeys and -page, started and serving.
type portal struct {
	*child
	public     string // http://host:port
	metricsURL string
	pprofURL   string
	logFile    *os.File // -portal-log, closed once the portal has ended
}

// startPortal registers the web app "web" for a portal on a free address, starts it (with its
// metrics and pprof addresses) and waits until it answers /healthz.
func startPortal(ctx context.Context, o options, emu *pingonetest.Server, bin, workerSecret, webSecret string) (*portal, error) {
	var addrs [3]string // the portal, its metrics, its pprof
	for i := range addrs {
		a, err := freeAddr()
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	p := &portal{public: "http://" + addrs[0], metricsURL: "http://" + addrs[1], pprofURL: "http://" + addrs[2]}
	emu.AddApp(pingonetest.App{ClientID: "web", ClientSecret: webSecret, RedirectURIs: []string{p.public + "/auth/callback"},
		PostLogoutRedirectURIs: []string{p.public + "/"}})
	env := append(portalEnv(emu, p.public, "web", workerSecret, webSecret, ids.Token(48)),
		// The portal's own Go runtime figures (allocations) are read from its metrics address.
		"METRICS_ADDR="+addrs[1], "PPROF_ADDR="+addrs[2])
	spec := childSpec{name: "portal", bin: bin, args: []string{"-listen", addrs[0]}, env: append(env, o.serverEnv...), ready: healthz(p.public)}
	if o.portalLog != "" {
		f, err := os.Create(o.portalLog)
		if err != nil {
			return nil, err
		}
		p.logFile, spec.stderr = f, f
	}
	c, err := startChild(ctx, spec)
	if err != nil {
		p.closeLog()
		return nil, err
	}
	p.child = c
	return p, nil
}

// stop stops the portal, then closes its log file.
func (p *portal) stop() {
	p.child.stop()
	p.closeLog()
}

func (p *portal) closeLog() {
	if p.logFile != nil {
		_ = p.logFile.Close()
	}
}
