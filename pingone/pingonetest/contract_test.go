package pingonetest_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
	"github.com/smsmfa/portal/pingone/pingonetest/spectest"
)

// TestContractEmulator runs the contract suite against emulators set up as PingOne tenants may
// be, every answer validated against PingOne's published API descriptions.
func TestContractEmulator(t *testing.T) {
	tests := []struct {
		name       string
		opts       emulator.Options
		authMethod string
		// otherPolicy adds a device authentication policy that is not the default and names it
		// as the one in force (PINGONE_DEVICE_POLICY_ID).
		otherPolicy bool
	}{
		{"defaults", emulator.Options{}, "", false},
		{"8-digit codes, client_secret_post, 3 devices", emulator.Options{OTPLength: 8, DeviceLimit: 3}, "client_secret_post", false},
		{"a device policy that is not the default", emulator.Options{OTPLifetime: 5 * time.Minute}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := pingonetest.Start(t, tc.opts)
			s.AddApp(emulator.App{ClientID: "worker", ClientSecret: "worker-secret", Worker: true, Roles: true, TokenAuthMethod: tc.authMethod})
			g := s.AddGroup("Help desk")
			uid := s.AddUser(emulator.SeedUser{Username: "ada", Email: "ada@example.com", Given: "Ada", Family: "Lovelace", Password: "pw", GroupIDs: []string{g}})
			other := s.AddUser(emulator.SeedUser{Username: "bob", Password: "pw"})
			limit, length := tc.opts.DeviceLimit, tc.opts.OTPLength
			if limit == 0 {
				limit = 5
			}
			var policyID string
			if tc.otherPolicy {
				var err error
				if policyID, err = s.AddDevicePolicy("Portal SMS", emulator.SMSPolicy{OTPLength: length}); err != nil {
					t.Fatal(err)
				}
			}
			spec := spectest.New(t, s.APIBase(), nil, false)
			pingonetest.RunContract(t, pingonetest.Target{
				APIBase: s.APIBase(), AuthBase: s.AuthBase(), EnvironmentID: s.EnvironmentID(),
				WorkerID: "worker", WorkerSecret: "worker-secret", WorkerAuthMethod: tc.authMethod, UserID: uid, Username: "ada", GroupID: g,
				Phone: "+15125201234", ReadCode: s.LastCode, DeviceLimit: limit, OTPLength: length, HTTPClient: spec.Client(),
				Email: "ada@example.com", ReadEmailCode: s.LastEmailCode, OtherUserID: other, DevicePolicyID: policyID,
			})
			for _, route := range []string{"deviceAuthentications.create", "deviceAuthentications.select", "deviceAuthentications.otp",
				"deviceAuthentications.get", "devicePolicies.list", "devicePolicies.get", "users.bypassMFA.get", "users.bypassMFA.put", "activities"} {
				if s.Calls(route) == 0 {
					t.Errorf("the suite never reached %s", route)
				}
			}
			if len(spec.Seen()) < 8 {
				t.Errorf("the suite reached only %v", spec.Seen())
			}
		})
	}
}

// TestContractPingOne runs the same suite against a real PingOne environment when the
// operator provides one; it never runs in CI, which has no credentials and no network. Its
// answers are held to the published API descriptions too.
func TestContractPingOne(t *testing.T) {
	env := func(k string) string { return os.Getenv("PINGONE_CONTRACT_" + k) }
	if env("ENVIRONMENT_ID") == "" {
		t.Skip("set PINGONE_CONTRACT_{API_BASE,AUTH_BASE,ENVIRONMENT_ID,WORKER_ID,WORKER_SECRET,USER_ID,USERNAME,PHONE} (and optionally GROUP_ID, WORKER_AUTH_METHOD, EMAIL, OTHER_USER_ID, DEVICE_POLICY_ID, OTP_LENGTH) to run against a real tenant")
	}
	otpLength := 0
	if v := env("OTP_LENGTH"); v != "" {
		var err error
		if otpLength, err = strconv.Atoi(v); err != nil {
			t.Fatalf("PINGONE_CONTRACT_OTP_LENGTH %q is not a number", v)
		}
	}
	spec := spectest.New(t, env("API_BASE"), nil, false)
	pingonetest.RunContract(t, pingonetest.Target{
		APIBase: env("API_BASE"), AuthBase: env("AUTH_BASE"), EnvironmentID: env("ENVIRONMENT_ID"),
		WorkerID: env("WORKER_ID"), WorkerSecret: env("WORKER_SECRET"), WorkerAuthMethod: env("WORKER_AUTH_METHOD"), UserID: env("USER_ID"),
		Username: env("USERNAME"), GroupID: env("GROUP_ID"), Phone: env("PHONE"), HTTPClient: spec.Client(),
		Email: env("EMAIL"), OtherUserID: env("OTHER_USER_ID"), DevicePolicyID: env("DEVICE_POLICY_ID"), OTPLength: otpLength,
	})
}
