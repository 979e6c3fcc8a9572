package pingonetest_test

import (
	"os"
	"testing"

	"github.com/smsmfa/portal/pingone/pingonetest"
)

func TestContractEmulator(t *testing.T) {
	s, err := pingonetest.New(pingonetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.AddApp(pingonetest.App{ClientID: "worker", ClientSecret: "worker-secret", Worker: true, Roles: true})
	g := s.AddGroup("Help desk")
	uid := s.AddUser(pingonetest.SeedUser{Username: "ada", Email: "ada@example.com", Given: "Ada", Family: "Lovelace", Password: "pw", GroupIDs: []string{g}})
	pingonetest.RunContract(t, pingonetest.Target{
		APIBase: s.APIBase(), AuthBase: s.AuthBase(), EnvironmentID: s.EnvironmentID(),
		WorkerID: "worker", WorkerSecret: "worker-secret", UserID: uid, Username: "ada", GroupID: g,
		Phone: "+15125201234", ReadCode: s.LastCode, DeviceLimit: 5,
	})
}

// TestContractPingOne runs the same suite against a real PingOne environment when the
// operator provides one; it never runs in CI, which has no credentials and no network.
func TestContractPingOne(t *testing.T) {
	env := func(k string) string { return os.Getenv("PINGONE_CONTRACT_" + k) }
	if env("ENVIRONMENT_ID") == "" {
		t.Skip("set PINGONE_CONTRACT_{API_BASE,AUTH_BASE,ENVIRONMENT_ID,WORKER_ID,WORKER_SECRET,USER_ID,USERNAME,PHONE} to run against a real tenant")
	}
	pingonetest.RunContract(t, pingonetest.Target{
		APIBase: env("API_BASE"), AuthBase: env("AUTH_BASE"), EnvironmentID: env("ENVIRONMENT_ID"),
		WorkerID: env("WORKER_ID"), WorkerSecret: env("WORKER_SECRET"), UserID: env("USER_ID"),
		Username: env("USERNAME"), GroupID: env("GROUP_ID"), Phone: env("PHONE"),
	})
}
