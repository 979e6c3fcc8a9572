package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/smsmfa/portal/pingone/pingonetest"
)

// seedPeople adds n employees to the emulator, named prefix00000 and on, with numbers in the
// US area code area.
func seedPeople(emu *pingonetest.Server, n int, prefix string, area int) []person {
	people := make([]person, n)
	for i := range people {
		people[i] = person{username: fmt.Sprintf("%s%05d", prefix, i), password: "pw-" + strconv.Itoa(i),
			phone: fmt.Sprintf("+1%d%03d%04d", area, 200+i/10000, i%10000)}
		people[i].id = emu.AddUser(pingonetest.SeedUser{Username: people[i].username, Password: people[i].password})
	}
	return people
}

// newTransport is the simulated browsers' transport: enough idle connections for n people.
func newTransport(n int) *http.Transport {
	return &http.Transport{MaxIdleConns: 4 * n, MaxIdleConnsPerHost: 2 * n, IdleConnTimeout: time.Minute}
}

// runJourneys runs every person's journey at once against the server at public, through rt
// (nil: a transport of its own), each from their own address in run; it returns each one's
// result, the time of each step, the first person's journey and the wall time.
func runJourneys(ctx context.Context, o options, emu *pingonetest.Server, public string, people []person, rt http.RoundTripper, run int) ([]journeyResult, map[string][]time.Duration, *journey, time.Duration) {
	if rt == nil {
		tr := newTransport(len(people))
		defer tr.CloseIdleConnections()
		rt = tr
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		steps   = map[string][]time.Duration{}
		results = make([]journeyResult, len(people))
		first   *journey
	)
	start := time.Now()
	for i := range people {
		wg.Go(func() {
			j := &journey{ctx: ctx, o: o, emu: emu, public: public, p: people[i], xff: clientAddr(run, i), keep: i == 0}
			jar, _ := cookiejar.New(nil)
			j.client = &http.Client{Transport: rt, Jar: jar, Timeout: 60 * time.Second}
			results[i] = j.run()
			mu.Lock()
			defer mu.Unlock()
			if j.keep {
				first = j
			}
			for k, v := range j.timings {
				steps[k] = append(steps[k], v...)
			}
		})
	}
	wg.Wait()
	return results, steps, first, time.Since(start)
}

type person struct{ id, username, password, phone string }

type journeyResult struct {
	err        error
	errorPages int
	// errorsBy counts the error pages by step and status.
	errorsBy map[string]int
}

type journey struct {
	ctx     context.Context
	o       options
	emu     *pingonetest.Server
	public  string
	p       person
	xff     string
	client  *http.Client
	timings map[string][]time.Duration
	pages   int
	// errors counts the error pages shown, by step and status (such as "3 send code 503").
	errors map[string]int
	// keep asks the journey to keep its pages (the form, the code page, the list) and the size
	// of its session cookie, for -floor.
	keep        bool
	kept        [3][]byte
	cookieBytes int
}

var (
	flowRe   = regexp.MustCompile(`name="flow" value="([^"]+)"`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+/as/authorize)"`)
	csrfRe   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

type page struct {
	status int
	url    string
	body   string
}

func (j *journey) do(method, u string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(j.ctx, method, u, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	// Each employee comes from their own address, through the load balancer.
	req.Header.Set("X-Forwarded-For", j.xff)
	resp, err := j.client.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL.String(), body: string(b)}, err
}

// step runs one step, pressing the button again after an error page (as a person would), and
// records its time including the retries.
func (j *journey) step(name string, f func() (page, bool, error)) (page, error) {
	start := time.Now()
	defer func() { j.timings[name] = append(j.timings[name], time.Since(start)) }()
	var last page
	for attempt := 0; attempt <= j.o.retries; attempt++ {
		p, ok, err := f()
		if err != nil {
			return p, fmt.Errorf("%s: %w", name, err)
		}
		if ok {
			return p, nil
		}
		last = p
		if p.status < 500 && p.status != http.StatusTooManyRequests {
			return p, fmt.Errorf("%s: unexpected %d at %s: %.300s", name, p.status, p.url, p.body)
		}
		j.pages++
		if j.errors == nil {
			j.errors = map[string]int{}
		}
		j.errors[fmt.Sprintf("%s %d", name, p.status)]++
		time.Sleep(time.Duration(100*(attempt+1)) * time.Millisecond)
	}
	return last, fmt.Errorf("%s: still failing after %d tries: %d", name, j.o.retries, last.status)
}

func (j *journey) run() journeyResult {
	j.timings = map[string][]time.Duration{}
	start := time.Now()
	err := j.journey()
	if err == nil {
		j.timings["journey"] = append(j.timings["journey"], time.Since(start))
	}
	return journeyResult{err: err, errorPages: j.pages, errorsBy: j.errors}
}

// journey runs the employee's steps in order: open the link, sign in, send a code to the phone,
// type the code; with keep, it keeps the pages for -floor.
func (j *journey) journey() error {
	signInPage, err := j.openLink()
	if err != nil {
		return err
	}
	form, err := j.signIn(signInPage)
	if err != nil {
		return err
	}
	codePage, err := j.sendCode(form)
	if err != nil {
		return err
	}
	list, err := j.verify(codePage)
	if err == nil && j.keep {
		j.keepPages(form, codePage, list)
	}
	return err
}

// openLink opens the portal's link, which leads to PingOne's sign-in form.
func (j *journey) openLink() (page, error) {
	return j.step("1 open link", func() (page, bool, error) {
		p, err := j.do(http.MethodGet, j.public+"/enroll", nil)
		return p, err == nil && flowRe.MatchString(p.body), err
	})
}

// signIn fills PingOne's sign-in form on signInPage, which leads to the portal's form for a
// phone.
func (j *journey) signIn(signInPage page) (page, error) {
	return j.step("2 sign in", func() (page, bool, error) {
		if !flowRe.MatchString(signInPage.body) {
			// The last try ended on an error page: open the link again, as a person would.
			// Signed in already (the error came after), it leads straight to the form.
			q, err := j.do(http.MethodGet, j.public+"/enroll", nil)
			if err != nil {
				return q, false, err
			}
			if !flowRe.MatchString(q.body) {
				return q, strings.HasSuffix(strings.SplitN(q.url, "?", 2)[0], "/devices/sms/new") && q.status == 200, nil
			}
			signInPage = q
		}
		m, a := flowRe.FindStringSubmatch(signInPage.body), actionRe.FindStringSubmatch(signInPage.body)
		if m == nil || a == nil {
			return signInPage, false, errors.New("no sign-in form")
		}
		base, _ := url.Parse(signInPage.url)
		target, _ := base.Parse(a[1])
		p, err := j.do(http.MethodPost, target.String(), url.Values{"flow": {m[1]}, "username": {j.p.username}, "password": {j.p.password}})
		if err == nil && p.status >= 500 {
			// The sign-in failed on the portal's side: the next try starts again from the link.
			signInPage = page{}
		}
		return p, err == nil && strings.HasSuffix(strings.SplitN(p.url, "?", 2)[0], "/devices/sms/new") && p.status == 200, err
	})
}

// sendCode sends the employee's number from the form, which leads to the code page.
func (j *journey) sendCode(form page) (page, error) {
	return j.step("3 send code", func() (page, bool, error) {
		m := csrfRe.FindStringSubmatch(form.body)
		if m == nil {
			return form, false, errors.New("no CSRF token on the form")
		}
		p, err := j.do(http.MethodPost, j.public+"/devices/sms", url.Values{"csrf": {m[1]}, "phone": {j.p.phone}, "region": {"US"}})
		return p, err == nil && strings.HasSuffix(p.url, "/verify") && p.status == 200, err
	})
}

// verify types the texted code on the code page, which leads to the list with the phone active.
func (j *journey) verify(codePage page) (page, error) {
	return j.step("4 verify", func() (page, bool, error) {
		m := csrfRe.FindStringSubmatch(codePage.body)
		if m == nil {
			return codePage, false, errors.New("no CSRF token on the code page")
		}
		p, err := j.do(http.MethodPost, codePage.url, url.Values{"csrf": {m[1]}, "code": {j.emu.LastCode(j.p.phone)}})
		return p, err == nil && strings.HasSuffix(p.url, "/devices") && p.status == 200 && strings.Contains(p.body, "Active"), err
	})
}

// keepPages keeps the journey's pages and the size of its session cookie, for -floor.
func (j *journey) keepPages(form, codePage, list page) {
	j.kept = [3][]byte{[]byte(form.body), []byte(codePage.body), []byte(list.body)}
	if u, perr := url.Parse(j.public); perr == nil {
		for _, c := range j.client.Jar.Cookies(u) {
			j.cookieBytes = max(j.cookieBytes, len(c.Name)+1+len(c.Value))
		}
	}
}

// clientAddr is employee i's address in run r: each in a /64 of its own, as the portal counts
// sign-ins per IPv6 /64.
func clientAddr(r, i int) string { return fmt.Sprintf("2001:db8:%x:%x::1", r, i+1) }

// regState is what PingOne holds for one employee after a run.
type regState int

const (
	// regOK is exactly one phone, active, with the employee's number.
	regOK regState = iota
	// regDuplicated is more than one phone.
	regDuplicated
	// regLost is no active phone with the employee's number.
	regLost
)

// registration reads from the emulator what PingOne holds for p after a run.
func registration(emu *pingonetest.Server, p person) regState {
	devs := emu.Devices(p.id)
	active := 0
	for _, d := range devs {
		if d.Status == "ACTIVE" && d.Phone == p.phone {
			active++
		}
	}
	switch {
	case len(devs) > 1:
		return regDuplicated
	case active == 0:
		return regLost
	}
	return regOK
}
