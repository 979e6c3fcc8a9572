package emulator

import (
	mrand "math/rand/v2"
	"net/http"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	as := "/{env}/as"
	s.handle(mux, "GET "+as+"/.well-known/openid-configuration", "discovery", s.discovery)
	s.handle(mux, "GET "+as+"/authorize", "authorize", s.authorize)
	s.handle(mux, "POST "+as+"/authorize", "authorize.submit", s.authorizeSubmit)
	s.handle(mux, "POST "+as+"/token", "token", s.token)
	s.handle(mux, "GET "+as+"/jwks", "jwks", s.jwks)
	s.handle(mux, "GET "+as+"/userinfo", "userinfo", s.userinfo)
	s.handle(mux, "POST "+as+"/userinfo", "userinfo", s.userinfo)
	s.handle(mux, "GET "+as+"/signoff", "signoff", s.signoff)

	api := "/v1/environments/{env}"
	s.handle(mux, "POST "+api+"/users", "users.create", s.api(s.createUser))
	s.handle(mux, "GET "+api+"/users", "users.search", s.api(s.searchUsers))
	s.handle(mux, "GET "+api+"/users/{uid}", "users.get", s.api(s.getUser))
	s.handle(mux, "PUT "+api+"/users/{uid}/password", "users.password", s.api(s.setPassword))
	s.handle(mux, "POST "+api+"/users/{uid}/memberOfGroups", "users.groups", s.api(s.addToGroup))
	s.handle(mux, "PUT "+api+"/users/{uid}/mfaEnabled", "users.mfaEnabled", s.api(s.setMFAEnabled))
	s.handle(mux, "GET "+api+"/users/{uid}/bypassMFA", "users.bypassMFA.get", s.api(s.getBypassMFA))
	s.handle(mux, "PUT "+api+"/users/{uid}/bypassMFA", "users.bypassMFA.put", s.api(s.putBypassMFA))
	s.handle(mux, "POST "+api+"/activities", "activities", s.api(s.postActivities))
	s.handle(mux, "POST "+api+"/groups", "groups.create", s.api(s.createGroup))
	s.handle(mux, "GET "+api+"/groups/{gid}", "groups.get", s.api(s.getGroup))
	s.handle(mux, "GET "+api+"/mfaSettings", "mfaSettings.get", s.api(s.getMFASettings))
	s.handle(mux, "PUT "+api+"/mfaSettings", "mfaSettings.put", s.api(s.putMFASettings))
	s.handle(mux, "GET "+api+"/deviceAuthenticationPolicies", "devicePolicies.list", s.api(s.listDevicePolicies))
	s.handle(mux, "GET "+api+"/deviceAuthenticationPolicies/{pid}", "devicePolicies.get", s.api(s.getDevicePolicy))
	s.handle(mux, "GET "+api+"/users/{uid}/devices", "devices.list", s.api(s.listDevices))
	s.handle(mux, "POST "+api+"/users/{uid}/devices", "devices.create", s.api(s.postDevices))
	s.handle(mux, "GET "+api+"/users/{uid}/devices/{did}", "devices.get", s.api(s.getDevice))
	s.handle(mux, "POST "+api+"/users/{uid}/devices/{did}", "devices.action", s.api(s.deviceAction))
	s.handle(mux, "DELETE "+api+"/users/{uid}/devices/{did}", "devices.delete", s.api(s.deleteDevice))
	s.handle(mux, "PUT "+api+"/users/{uid}/devices/{did}/nickname", "devices.nickname", s.api(s.renameDevice))
	// MFA device authentications live on the auth host, beside /as, not under /v1.
	da := "/{env}/deviceAuthentications"
	s.handle(mux, "POST "+da, "deviceAuthentications.create", s.api(s.createDeviceAuth))
	s.handle(mux, "GET "+da+"/{daid}", "deviceAuthentications.get", s.api(s.getDeviceAuth))
	s.handle(mux, "POST "+da+"/{daid}", "deviceAuthentications.action", s.api(s.deviceAuthAction))
	// The outboxes, for a standalone emulator's demo (docs/ui-contract.md): not PingOne's.
	mux.HandleFunc("GET /demo/sms", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Outbox()) })
	mux.HandleFunc("GET /demo/email", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Emails()) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource was not found.")
	})
	return mux
}

// Routes lists the route names that Calls and Fault.Route use. A POST on a device is named by
// its content type: devices.activate, devices.resend, devices.unlock, devices.block,
// devices.unblock; a POST on the device list with the reorder content type is devices.reorder;
// a POST on a device authentication is deviceAuthentications.select or deviceAuthentications.otp.
var Routes = []string{
	"discovery", "authorize", "authorize.submit", "token", "jwks", "userinfo", "signoff",
	"users.create", "users.search", "users.get", "users.password", "users.groups", "users.mfaEnabled", "users.bypassMFA.get", "users.bypassMFA.put", "activities", "groups.create",
	"groups.get", "mfaSettings.get", "mfaSettings.put", "devicePolicies.list", "devicePolicies.get",
	"devices.list", "devices.create", "devices.reorder", "devices.get", "devices.activate", "devices.resend",
	"devices.unlock", "devices.block", "devices.unblock", "devices.delete", "devices.nickname",
	"deviceAuthentications.create", "deviceAuthentications.get", "deviceAuthentications.select",
	"deviceAuthentications.otp",
}

func routeName(r *http.Request, base string) string {
	ct := mediaType(r.Header.Get("Content-Type"))
	switch base {
	case "devices.create":
		if ct == "application/vnd.pingidentity.devices.reorder+json" {
			return "devices.reorder"
		}
	case "deviceAuthentications.action":
		switch ct {
		case "application/vnd.pingidentity.device.select+json":
			return "deviceAuthentications.select"
		case "application/vnd.pingidentity.otp.check+json":
			return "deviceAuthentications.otp"
		}
	case "devices.action":
		switch ct {
		case "application/vnd.pingidentity.device.activate+json":
			return "devices.activate"
		case "application/vnd.pingidentity.device.sendactivationcode+json":
			return "devices.resend"
		case "application/vnd.pingidentity.device.unlock+json":
			return "devices.unlock"
		case "application/vnd.pingidentity.device.block+json":
			return "devices.block"
		case "application/vnd.pingidentity.device.unblock+json":
			return "devices.unblock"
		}
	}
	return base
}

func (s *Server) handle(mux *http.ServeMux, pattern, name string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("env") != s.envID {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested environment was not found.")
			return
		}
		route := routeName(r, name)
		s.mu.Lock()
		s.calls[route]++
		f := s.takeFault(route)
		latency, failRate, failStatus := s.latency, s.failRate, s.failStatus
		s.mu.Unlock()
		if latency > 0 && !pause(r, latency) {
			return
		}
		if f == nil && failRate > 0 && isAPIRoute(route) && mrand.Float64() < failRate {
			f = &Fault{Status: failStatus, RetryAfter: "1"}
		}
		s.log.Debug("emulator request", "method", r.Method, "route", route)
		if f != nil && !s.applyFault(w, r, f, h) {
			return
		}
		h(w, r)
	})
}
