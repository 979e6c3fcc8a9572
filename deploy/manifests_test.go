package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

const dir = "kubernetes"

// manifests holds every object of deploy/kubernetes, parsed strictly into its API type.
type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	pdbs        []*policyv1.PodDisruptionBudget
	configMaps  []*corev1.ConfigMap
	secrets     []*corev1.Secret
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	netpols     []*networkingv1.NetworkPolicy
	files       []string
}

// apiVersions are the versions each kind must use: current, not deprecated ones.
var apiVersions = map[string]string{
	"Deployment":              "apps/v1",
	"Service":                 "v1",
	"PodDisruptionBudget":     "policy/v1",
	"ConfigMap":               "v1",
	"Secret":                  "v1",
	"HorizontalPodAutoscaler": "autoscaling/v2",
	"NetworkPolicy":           "networking.k8s.io/v1",
}

// splitDocuments splits a YAML stream at its "---" lines, dropping documents that are only
// comments.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		empty := true
		for line := range strings.Lines(d) {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
				empty = false
			}
		}
		if !empty {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// decode parses one document strictly (unknown or duplicate fields are errors) into the type
// its kind names, and adds it to m.
func (m *manifests) decode(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	if want, ok := apiVersions[tm.Kind]; !ok {
		return fmt.Errorf("kind %q is not one this test knows", tm.Kind)
	} else if tm.APIVersion != want {
		return fmt.Errorf("%s has apiVersion %q, want %q", tm.Kind, tm.APIVersion, want)
	}
	var obj any
	switch tm.Kind {
	case "Deployment":
		obj = appendNew(&m.deployments)
	case "Service":
		obj = appendNew(&m.services)
	case "PodDisruptionBudget":
		obj = appendNew(&m.pdbs)
	case "ConfigMap":
		obj = appendNew(&m.configMaps)
	case "Secret":
		obj = appendNew(&m.secrets)
	case "HorizontalPodAutoscaler":
		obj = appendNew(&m.hpas)
	case "NetworkPolicy":
		obj = appendNew(&m.netpols)
	}
	return yaml.UnmarshalStrict(doc, obj)
}

// appendNew appends a new, empty object to *list and returns it, for a document to fill.
func appendNew[T any](list *[]*T) *T {
	v := new(T)
	*list = append(*list, v)
	return v
}

func load(t *testing.T) *manifests {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	m := &manifests{}
	for _, p := range paths {
		if filepath.Base(p) == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, filepath.Base(p))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocuments(data) {
			if err := m.decode(doc); err != nil {
				t.Fatalf("%s, document %d: %v", p, i+1, err)
			}
		}
	}
	if len(m.deployments) != 1 || len(m.services) != 1 || len(m.pdbs) != 1 || len(m.configMaps) != 1 || len(m.secrets) != 1 ||
		len(m.hpas) != 1 || len(m.netpols) != 1 {
		t.Fatalf("want one Deployment, Service, PodDisruptionBudget, ConfigMap, Secret, HorizontalPodAutoscaler and NetworkPolicy; got %d, %d, %d, %d, %d, %d, %d",
			len(m.deployments), len(m.services), len(m.pdbs), len(m.configMaps), len(m.secrets), len(m.hpas), len(m.netpols))
	}
	return m
}

// TestStrictParsingCatchesMistakes shows the parsing is strict: a misspelt or repeated field,
// which kubectl would reject or silently drop, fails the test.
func TestStrictParsingCatchesMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		ok        bool
	}{
		{"a correct document", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 2\n", true},
		{"misspelt field", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 2\n", false},
		{"repeated field", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  name: y\n", false},
		{"wrong type", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  PORT: [8080]\n", false},
		{"old apiVersion", "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: x\n", false},
	} {
		err := (&manifests{}).decode([]byte(tc.doc))
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && err == nil {
			t.Errorf("%s: parsed without error", tc.name)
		}
	}
}

func TestDeployment(t *testing.T) {
	m := load(t)
	d := m.deployments[0]
	spec := d.Spec.Template.Spec

	if d.Spec.Replicas != nil {
		t.Errorf("the Deployment sets replicas (%d): applying it again would undo the autoscaler's choice", *d.Spec.Replicas)
	}
	if ru := d.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("a rolling update may take a replica away before its replacement is ready: %+v", ru)
	}
	if sel := d.Spec.Selector; sel == nil || !matches(sel.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("selector %v does not match the pod labels %v", sel, d.Spec.Template.Labels)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Error("the service-account token is mounted")
	}
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("pod may run as root: %+v", psc)
	}
	if psc != nil && (psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault) {
		t.Error("no RuntimeDefault seccomp profile")
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(spec.Containers))
	}
	c := spec.Containers[0]
	if !regexp.MustCompile(`^[a-z0-9.-]+(/[a-z0-9._-]+)+(:[\w.-]+)?@sha256:[0-9a-f]{64}$`).MatchString(c.Image) {
		t.Errorf("image %q is not pinned by digest (name@sha256:...)", c.Image)
	}

	sc := c.SecurityContext
	switch {
	case sc == nil:
		t.Error("container has no securityContext")
	case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Error("root filesystem is writable")
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Error("privilege escalation allowed")
	case sc.Privileged != nil && *sc.Privileged:
		t.Error("container is privileged")
	case sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) != 0:
		t.Errorf("capabilities not all dropped: %+v", sc.Capabilities)
	}

	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		if !okReq || !okLim || req.IsZero() || lim.Cmp(req) < 0 {
			t.Errorf("%s: request %v, limit %v; want both, limit ≥ request", r, req.String(), lim.String())
		}
	}

	checkMemory(t, c)

	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	probes := []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"readiness", c.ReadinessProbe, "/readyz"},
		{"liveness", c.LivenessProbe, "/healthz"},
	}
	for _, p := range probes {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path {
			t.Errorf("%s probe on %q, want %q", p.name, p.probe.HTTPGet.Path, p.path)
		}
		if port := p.probe.HTTPGet.Port; port.Type != intstr.String || ports[port.StrVal] == 0 {
			t.Errorf("%s probe port %v is not a named container port", p.name, port.String())
		}
	}
	if ports["http"] != 8080 {
		t.Errorf("http port %d, want 8080 (LISTEN_ADDR)", ports["http"])
	}

	// The grace period covers the preStop pause and SHUTDOWN_TIMEOUT, or requests in flight
	// are cut at SIGKILL.
	pause := int64(0)
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
		pause = c.Lifecycle.PreStop.Sleep.Seconds
	}
	shutdown := durationSeconds(t, m.configMaps[0].Data["SHUTDOWN_TIMEOUT"], 15)
	if g := spec.TerminationGracePeriodSeconds; g == nil || *g < pause+shutdown {
		t.Errorf("grace period %s < preStop %ds + SHUTDOWN_TIMEOUT %ds", mustJSON(g), pause, shutdown)
	}
}

func mustJSON(v any) string {
	b, _ := yaml.Marshal(v)
	return strings.TrimSpace(string(b))
}

func durationSeconds(t *testing.T, v string, def int64) int64 {
	t.Helper()
	if v == "" {
		return def
	}
	var n int64
	var unit string
	if _, err := fmt.Sscanf(v, "%d%s", &n, &unit); err != nil || unit != "s" {
		t.Fatalf("SHUTDOWN_TIMEOUT %q: this test reads only whole seconds", v)
	}
	return n
}

func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestServiceAndDisruptionBudget(t *testing.T) {
	m := load(t)
	d, s, pdb := m.deployments[0], m.services[0], m.pdbs[0]
	pod := d.Spec.Template
	minReplicas := int32(1)
	if m.hpas[0].Spec.MinReplicas != nil {
		minReplicas = *m.hpas[0].Spec.MinReplicas
	}

	if !matches(s.Spec.Selector, pod.Labels) {
		t.Errorf("Service selector %v does not pick the pods %v", s.Spec.Selector, pod.Labels)
	}
	if s.Spec.SessionAffinity == corev1.ServiceAffinityClientIP {
		t.Error("Service pins clients to one replica: the shared store makes that unneeded")
	}
	names := map[string]bool{}
	for _, p := range pod.Spec.Containers[0].Ports {
		names[p.Name] = true
	}
	if len(s.Spec.Ports) == 0 {
		t.Fatal("Service has no port")
	}
	for _, p := range s.Spec.Ports {
		if p.TargetPort.Type != intstr.String || !names[p.TargetPort.StrVal] {
			t.Errorf("Service port %s targets %v, not a named container port", p.Name, p.TargetPort.String())
		}
	}

	if pdb.Spec.Selector == nil || !matches(pdb.Spec.Selector.MatchLabels, pod.Labels) {
		t.Errorf("PodDisruptionBudget selector %v does not pick the pods", pdb.Spec.Selector)
	}
	// minAvailable must be below replicas, or no node could ever be drained.
	switch {
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MaxUnavailable != nil:
		t.Error("PodDisruptionBudget sets both minAvailable and maxUnavailable")
	case pdb.Spec.MinAvailable != nil:
		if n := pdb.Spec.MinAvailable.IntValue(); pdb.Spec.MinAvailable.Type != intstr.Int || n < 1 || n >= int(minReplicas) {
			t.Errorf("minAvailable %v, want 1 ≤ n < %d, the autoscaler's fewest replicas", pdb.Spec.MinAvailable.String(), minReplicas)
		}
	case pdb.Spec.MaxUnavailable != nil:
		if n := pdb.Spec.MaxUnavailable.IntValue(); pdb.Spec.MaxUnavailable.Type != intstr.Int || n < 1 || n >= int(minReplicas) {
			t.Errorf("maxUnavailable %v, want 1 ≤ n < %d, the autoscaler's fewest replicas", pdb.Spec.MaxUnavailable.String(), minReplicas)
		}
	default:
		t.Error("PodDisruptionBudget sets neither minAvailable nor maxUnavailable")
	}
}

// portalVariables reads the variable names the portal documents, from internal/config's
// Variables table, so a manifest cannot set a variable the portal does not read.
func portalVariables(t *testing.T) (all, required map[string]bool) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "internal", "config", "config.go"))
	if err != nil {
		t.Fatal(err)
	}
	all, required = map[string]bool{}, map[string]bool{}
	for _, m := range regexp.MustCompile(`\{"([A-Z0-9_]+)", "([^"]*)", "`).FindAllSubmatch(src, -1) {
		name := string(m[1])
		all[name] = true
		if bytes.HasPrefix(m[2], []byte("(required")) {
			required[name] = true
		}
	}
	if len(all) < 20 || !all["PORTAL_PUBLIC_URL"] || !required["SESSION_KEYS"] {
		t.Fatalf("read %d variables from config.go; its Variables table has changed shape", len(all))
	}
	return all, required
}

func TestSettings(t *testing.T) {
	m := load(t)
	all, required := portalVariables(t)
	cm, secret := m.configMaps[0], m.secrets[0]
	c := m.deployments[0].Spec.Template.Spec.Containers[0]
	pod := m.deployments[0].Spec.Template.Spec

	set := map[string]string{} // variable → where it comes from
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil || from.ConfigMapRef.Name != cm.Name {
			t.Errorf("envFrom %+v is not the ConfigMap %s", from, cm.Name)
			continue
		}
		for k := range cm.Data {
			set[k] = "ConfigMap"
		}
	}
	secretFiles := map[string]string{} // mounted path → Secret key
	for _, v := range pod.Volumes {
		if v.Secret == nil {
			continue
		}
		if v.Secret.SecretName != secret.Name {
			t.Errorf("volume %s mounts Secret %q, want %q", v.Name, v.Secret.SecretName, secret.Name)
		}
		if v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&0o007 != 0 {
			t.Errorf("secret files are readable by others: mode %s", mustJSON(v.Secret.DefaultMode))
		}
		for _, vm := range c.VolumeMounts {
			if vm.Name != v.Name {
				continue
			}
			if !vm.ReadOnly {
				t.Errorf("secret volume mounted writable at %s", vm.MountPath)
			}
			for _, it := range v.Secret.Items {
				secretFiles[filepath.Join(vm.MountPath, it.Path)] = it.Key
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.Name == "GOMEMLIMIT":
			continue // read by the Go runtime, not the portal
		case strings.HasSuffix(e.Name, "_FILE"):
			name := strings.TrimSuffix(e.Name, "_FILE")
			key, ok := secretFiles[e.Value]
			if !ok {
				t.Errorf("%s points at %s, which no Secret item is mounted at", e.Name, e.Value)
			}
			checkSecretKey(t, secret, key)
			set[name] = "file"
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			if e.ValueFrom.SecretKeyRef.Name != secret.Name {
				t.Errorf("%s from Secret %q, want %q", e.Name, e.ValueFrom.SecretKeyRef.Name, secret.Name)
			}
			checkSecretKey(t, secret, e.ValueFrom.SecretKeyRef.Key)
			set[e.Name] = "Secret"
		case e.ValueFrom != nil:
			t.Errorf("%s: unexpected source %+v", e.Name, e.ValueFrom)
		default:
			set[e.Name] = "env"
		}
	}
	for name, from := range set {
		if !all[name] {
			t.Errorf("%s (from %s) is not a variable the portal reads", name, from)
		}
	}
	for name := range required {
		if set[name] == "" {
			t.Errorf("required variable %s is not set", name)
		}
	}
	for _, name := range []string{"PINGONE_WORKER_CLIENT_SECRET", "PINGONE_WEB_CLIENT_SECRET", "SESSION_KEYS", "REDIS_URL"} {
		if f := set[name]; f != "file" && f != "Secret" {
			t.Errorf("%s comes from %q, not from the Secret", name, f)
		}
	}
	// deployment.yaml promises every secret as a mounted file (NAME_FILE), none in the
	// process's environment.
	for name, from := range set {
		if from == "Secret" {
			t.Errorf("%s comes from the environment (secretKeyRef), not from a mounted file (%s_FILE)", name, name)
		}
	}
	if set["REDIS_KEY_PREFIX"] == "" {
		t.Error("REDIS_KEY_PREFIX is not set")
	}
	if u := cm.Data["PORTAL_PUBLIC_URL"]; !strings.HasPrefix(u, "https://") {
		t.Errorf("PORTAL_PUBLIC_URL %q is not https", u)
	}
	if cm.Data["LISTEN_ADDR"] != ":8080" {
		t.Errorf("LISTEN_ADDR %q does not match the container port 8080", cm.Data["LISTEN_ADDR"])
	}
	if u := secret.StringData["redis-url"]; !strings.HasPrefix(u, "redis://") && !strings.HasPrefix(u, "rediss://") {
		t.Errorf("example redis-url %q is not redis:// or rediss://", u)
	}
}

func checkSecretKey(t *testing.T, s *corev1.Secret, key string) {
	t.Helper()
	_, inString := s.StringData[key]
	_, inData := s.Data[key]
	if !inString && !inData {
		t.Errorf("Secret %s has no key %q", s.Name, key)
	}
}

// TestKustomization checks that kubectl apply -k applies every manifest but the example Secret.
func TestKustomization(t *testing.T) {
	m := load(t)
	data, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatal(err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Errorf("kustomization.yaml is %s %s", k.APIVersion, k.Kind)
	}
	var want []string
	for _, f := range m.files {
		if f != "secret.example.yaml" {
			want = append(want, f)
		}
	}
	got := slices.Sorted(slices.Values(k.Resources))
	if !slices.Equal(got, want) {
		t.Errorf("kustomization resources %v, want %v", got, want)
	}
}
