package deploy

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The memory figures the manifest is held to. measuredPeak is the portal's peak with 2,000
// journeys at once under GOMEMLIMIT=230MiB and MAX_IN_FLIGHT=400 (207 to 218 MiB, rounded up;
// BENCHMARKS.md, issue #24): the request must not be below it, or the pod is
// among the first evicted when its node runs short.
var (
	memoryLimit  = resource.MustParse("256Mi")
	measuredPeak = resource.MustParse("224Mi")
)

// checkMemory holds the container's memory to the sizing: the limit, a request at the
// measured peak or above, and GOMEMLIMIT about 90% of the limit (85 to 95%).
func checkMemory(t *testing.T, c corev1.Container) {
	t.Helper()
	req, lim := c.Resources.Requests[corev1.ResourceMemory], c.Resources.Limits[corev1.ResourceMemory]
	if lim.Cmp(memoryLimit) != 0 {
		t.Errorf("memory limit %s, want %s (the figure MAX_IN_FLIGHT and GOMEMLIMIT are sized for)", lim.String(), memoryLimit.String())
	}
	if req.Cmp(measuredPeak) < 0 {
		t.Errorf("memory request %s is below the measured peak %s", req.String(), measuredPeak.String())
	}
	var gomemlimit string
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			if e.ValueFrom != nil {
				t.Error("GOMEMLIMIT comes from limits.memory: that is 100% of the limit, with nothing left for what Go does not count")
			}
			gomemlimit = e.Value
		}
	}
	m := regexp.MustCompile(`^(\d+)MiB$`).FindStringSubmatch(gomemlimit)
	if m == nil {
		t.Fatalf("GOMEMLIMIT %q is not a whole number of MiB", gomemlimit)
	}
	mib, _ := strconv.ParseInt(m[1], 10, 64)
	if share := float64(mib<<20) / float64(lim.Value()); share < 0.85 || share > 0.95 {
		t.Errorf("GOMEMLIMIT %s is %.0f%% of the limit %s, want about 90%%", gomemlimit, share*100, lim.String())
	}
}

// TestTopologySpread: replicas spread by node with DoNotSchedule (two never share a node while
// another can take one) and by zone, each counting this Deployment's pods.
func TestTopologySpread(t *testing.T) {
	m := load(t)
	pod := m.deployments[0].Spec.Template
	by := map[string]corev1.TopologySpreadConstraint{}
	for _, c := range pod.Spec.TopologySpreadConstraints {
		by[c.TopologyKey] = c
		if c.LabelSelector == nil || !matches(c.LabelSelector.MatchLabels, pod.Labels) {
			t.Errorf("spread on %s does not count this Deployment's pods: %v", c.TopologyKey, c.LabelSelector)
		}
		if c.MaxSkew != 1 {
			t.Errorf("spread on %s: maxSkew %d, want 1", c.TopologyKey, c.MaxSkew)
		}
		if !slices.Contains(c.MatchLabelKeys, "pod-template-hash") {
			t.Errorf("spread on %s counts old revisions' pods too (matchLabelKeys: pod-template-hash)", c.TopologyKey)
		}
	}
	host, ok := by[corev1.LabelHostname]
	if !ok || host.WhenUnsatisfiable != corev1.DoNotSchedule {
		t.Errorf("spread by %s is missing or soft (%q): two replicas may land on one node", corev1.LabelHostname, host.WhenUnsatisfiable)
	}
	if _, ok := by[corev1.LabelTopologyZone]; !ok {
		t.Errorf("no spread by %s", corev1.LabelTopologyZone)
	}
}

// TestAutoscaler: the HorizontalPodAutoscaler drives the Deployment on CPU, from two replicas.
func TestAutoscaler(t *testing.T) {
	m := load(t)
	d, h := m.deployments[0], m.hpas[0]
	ref := h.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != d.Name {
		t.Errorf("the autoscaler scales %+v, not the Deployment %s", ref, d.Name)
	}
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
		t.Errorf("minReplicas %s: fewer than two leaves nobody serving during a drain", mustJSON(h.Spec.MinReplicas))
	} else if h.Spec.MaxReplicas <= *h.Spec.MinReplicas {
		t.Errorf("maxReplicas %d ≤ minReplicas %d: nothing to scale", h.Spec.MaxReplicas, *h.Spec.MinReplicas)
	}
	if len(h.Spec.Metrics) != 1 {
		t.Fatalf("%d metrics, want CPU only", len(h.Spec.Metrics))
	}
	r := h.Spec.Metrics[0].Resource
	if h.Spec.Metrics[0].Type != "Resource" || r == nil || r.Name != corev1.ResourceCPU || r.Target.Type != "Utilization" ||
		r.Target.AverageUtilization == nil || *r.Target.AverageUtilization < 50 || *r.Target.AverageUtilization > 80 {
		t.Errorf("metric %s, want CPU utilization between 50 and 80%%", mustJSON(h.Spec.Metrics[0]))
	}
	// Utilization is a share of the request: without one the autoscaler cannot work.
	if cpu := d.Spec.Template.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU]; cpu.IsZero() {
		t.Error("no CPU request for the autoscaler's percentage")
	}
	if b := h.Spec.Behavior; b == nil || b.ScaleDown == nil || b.ScaleDown.StabilizationWindowSeconds == nil || *b.ScaleDown.StabilizationWindowSeconds < 60 {
		t.Error("scale-down has no stabilization window: replicas would go between two waves of a surge")
	}
}

// TestPlatformSettings: a ceiling on PingOne calls, and X-Forwarded-For believed from the
// Ingress controller only, said so beside the setting.
func TestPlatformSettings(t *testing.T) {
	m := load(t)
	cm := m.configMaps[0]
	rps, err := strconv.ParseFloat(cm.Data["PINGONE_MAX_RPS"], 64)
	if err != nil || rps <= 0 {
		t.Errorf("PINGONE_MAX_RPS %q: want a ceiling above 0", cm.Data["PINGONE_MAX_RPS"])
	}
	proxies := strings.Split(cm.Data["TRUSTED_PROXIES"], ",")
	if len(proxies) == 0 || proxies[0] == "" {
		t.Fatal("TRUSTED_PROXIES is not set: the sign-in limit would count the Ingress controller's address for everyone")
	}
	for _, p := range proxies {
		p = strings.TrimSpace(p)
		if ip := net.ParseIP(p); ip != nil {
			continue
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			t.Errorf("TRUSTED_PROXIES entry %q is neither an address nor a CIDR", p)
			continue
		}
		if ones, bits := n.Mask.Size(); (bits == 32 && ones < 20) || (bits == 128 && ones < 56) {
			t.Errorf("TRUSTED_PROXIES entry %s is wider than an Ingress controller's pods (/%d)", p, ones)
		}
	}
	// The comment right above the setting says whom it names.
	raw, err := os.ReadFile(filepath.Join(dir, "configmap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var above []string
	for line := range strings.Lines(string(raw)) {
		if strings.HasPrefix(strings.TrimSpace(line), "TRUSTED_PROXIES:") {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			above = append(above, line)
		} else {
			above = above[:0]
		}
	}
	if !strings.Contains(strings.Join(above, ""), "Ingress controller") {
		t.Error("TRUSTED_PROXIES has no comment above it naming the Ingress controller")
	}
}

// peerNamespace returns the namespace a peer selects by kubernetes.io/metadata.name, or "".
func peerNamespace(p networkingv1.NetworkPolicyPeer) string {
	if p.NamespaceSelector == nil {
		return ""
	}
	return p.NamespaceSelector.MatchLabels[corev1.LabelMetadataName]
}

type portKey struct {
	port  string
	proto corev1.Protocol
}

func portsOf(ps []networkingv1.NetworkPolicyPort) []portKey {
	var out []portKey
	for _, p := range ps {
		proto := corev1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		port := ""
		if p.Port != nil {
			port = p.Port.String()
		}
		out = append(out, portKey{port, proto})
	}
	return out
}

// TestNetworkPolicy: in, the portal's port from the Ingress controller's namespace and the
// metrics port from the monitoring namespace, nothing else; out, Redis, DNS and HTTPS only.
func TestNetworkPolicy(t *testing.T) {
	m := load(t)
	np, pod := m.netpols[0], m.deployments[0].Spec.Template
	if !matches(np.Spec.PodSelector.MatchLabels, pod.Labels) {
		t.Fatalf("the NetworkPolicy selects %v, not the portal's pods %v", np.Spec.PodSelector.MatchLabels, pod.Labels)
	}
	if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) || !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
		t.Errorf("policyTypes %v: both directions must be closed", np.Spec.PolicyTypes)
	}

	ingress := map[portKey]string{} // port → the one namespace allowed to it
	for i, r := range np.Spec.Ingress {
		if len(r.From) != 1 || len(r.Ports) == 0 {
			t.Errorf("ingress rule %d: from %d peers on %d ports; want one namespace on named ports", i, len(r.From), len(r.Ports))
			continue
		}
		ns := peerNamespace(r.From[0])
		if ns == "" || r.From[0].IPBlock != nil || r.From[0].PodSelector != nil {
			t.Errorf("ingress rule %d lets in %s, not one namespace", i, mustJSON(r.From[0]))
		}
		for _, p := range portsOf(r.Ports) {
			ingress[p] = ns
		}
	}
	want := map[portKey]string{{"http", corev1.ProtocolTCP}: "ingress-nginx", {"metrics", corev1.ProtocolTCP}: "monitoring"}
	if len(ingress) != len(want) {
		t.Errorf("ingress ports %v, want %v", ingress, want)
	}
	for p, ns := range want {
		if ingress[p] != ns {
			t.Errorf("ingress to port %s from %q, want %q only", p.port, ingress[p], ns)
		}
	}
	names := map[string]bool{}
	for _, p := range pod.Spec.Containers[0].Ports {
		names[p.Name] = true
	}
	for p := range ingress {
		if !names[p.port] {
			t.Errorf("ingress port %q is not a named port of the container", p.port)
		}
	}

	var redis, dns, https bool
	for i, r := range np.Spec.Egress {
		ports := portsOf(r.Ports)
		if len(ports) == 0 || len(r.To) == 0 {
			t.Errorf("egress rule %d is open to every port or every address", i)
			continue
		}
		switch {
		case slices.Equal(ports, []portKey{{"53", corev1.ProtocolUDP}, {"53", corev1.ProtocolTCP}}):
			dns = len(r.To) == 1 && peerNamespace(r.To[0]) == "kube-system" && r.To[0].PodSelector != nil &&
				r.To[0].PodSelector.MatchLabels["k8s-app"] == "kube-dns"
		case slices.Equal(ports, []portKey{{"443", corev1.ProtocolTCP}}):
			https = len(r.To) == 1 && r.To[0].IPBlock != nil
			if https {
				for _, private := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"} {
					if !slices.Contains(r.To[0].IPBlock.Except, private) {
						t.Errorf("HTTPS egress reaches the private range %s (other services of the network)", private)
					}
				}
			}
		case slices.Contains(ports, portKey{"6379", corev1.ProtocolTCP}):
			redis = len(r.To) == 1 && (r.To[0].PodSelector != nil || r.To[0].IPBlock != nil)
			for _, p := range ports {
				if p.port != "6379" && p.port != "6380" {
					t.Errorf("the Redis egress rule also opens %s", p.port)
				}
			}
		default:
			t.Errorf("egress rule %d opens %v: only Redis, DNS and HTTPS are allowed", i, ports)
		}
	}
	if !redis || !dns || !https {
		t.Errorf("egress: Redis %v, DNS to kube-dns %v, HTTPS to public addresses %v; want all three", redis, dns, https)
	}
}

// build runs kustomize on a directory as kubectl apply -k does, and parses every object it
// makes strictly with the Kubernetes API types.
func build(t *testing.T, path string) *manifests {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	res, err := k.Run(filesys.MakeFsOnDisk(), path)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", path, err)
	}
	out, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	m := &manifests{}
	for i, doc := range splitDocuments(out) {
		if err := m.decode(doc); err != nil {
			t.Fatalf("kustomize build %s, object %d: %v", path, i+1, err)
		}
	}
	return m
}

// TestKustomizeBuild builds deploy/kubernetes and the trial overlay with kustomize's own
// library: the base is the portal alone, and the trial adds one Redis set as the portal needs
// (noeviction, AOF, a password from a Secret), reachable from the portal's pods only, and
// reached by the portal's egress rule.
func TestKustomizeBuild(t *testing.T) {
	base := build(t, dir)
	if len(base.deployments) != 1 || len(base.netpols) != 1 || len(base.hpas) != 1 || len(base.secrets) != 0 {
		t.Fatalf("base: %d Deployments, %d NetworkPolicies, %d autoscalers, %d Secrets", len(base.deployments), len(base.netpols), len(base.hpas), len(base.secrets))
	}
	trial := build(t, "trial")
	if len(trial.deployments) != 2 || len(trial.services) != 2 || len(trial.netpols) != 2 {
		t.Fatalf("trial: %d Deployments, %d Services, %d NetworkPolicies; want the portal's and Redis's", len(trial.deployments), len(trial.services), len(trial.netpols))
	}
	var redis, portal *corev1.PodTemplateSpec
	for _, d := range trial.deployments {
		if d.Name == "mfa-portal-redis" {
			redis = &d.Spec.Template
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != "Recreate" {
				t.Errorf("trial Redis: replicas %s, strategy %q; want one, recreated", mustJSON(d.Spec.Replicas), d.Spec.Strategy.Type)
			}
		} else {
			portal = &d.Spec.Template
		}
	}
	if redis == nil || portal == nil {
		t.Fatal("the trial has no mfa-portal-redis Deployment")
	}
	c := redis.Spec.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, want := range []string{"--maxmemory-policy noeviction", "--appendonly yes", "--requirepass $(REDIS_PASSWORD)", "--maxmemory "} {
		if !strings.Contains(args, want) {
			t.Errorf("trial Redis args %q lack %q", args, want)
		}
	}
	var password bool
	for _, e := range c.Env {
		password = password || (e.Name == "REDIS_PASSWORD" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil)
	}
	if !password {
		t.Error("the trial Redis's password does not come from a Secret")
	}
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		redis.Spec.SecurityContext == nil || redis.Spec.SecurityContext.RunAsNonRoot == nil || !*redis.Spec.SecurityContext.RunAsNonRoot {
		t.Error("the trial Redis runs as root or with a writable root filesystem")
	}
	// The portal's egress reaches the Redis pods, and the Redis policy lets in the portal only.
	var reaches, admits bool
	for _, np := range trial.netpols {
		switch {
		case matches(np.Spec.PodSelector.MatchLabels, portal.Labels):
			for _, r := range np.Spec.Egress {
				for _, to := range r.To {
					reaches = reaches || (to.PodSelector != nil && matches(to.PodSelector.MatchLabels, redis.Labels) &&
						slices.Contains(portsOf(r.Ports), portKey{"6379", corev1.ProtocolTCP}))
				}
			}
		case matches(np.Spec.PodSelector.MatchLabels, redis.Labels):
			if len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].From) != 1 || np.Spec.Ingress[0].From[0].PodSelector == nil ||
				!matches(np.Spec.Ingress[0].From[0].PodSelector.MatchLabels, portal.Labels) {
				t.Errorf("the Redis NetworkPolicy lets in %s, not the portal's pods only", mustJSON(np.Spec.Ingress))
			}
			admits = len(np.Spec.Egress) == 0 && slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
	if !reaches || !admits {
		t.Errorf("portal's egress reaches Redis %v; Redis admits the portal only and reaches nothing %v", reaches, admits)
	}
	for _, s := range trial.services {
		if s.Name == "mfa-portal-redis" && (!matches(s.Spec.Selector, redis.Labels) || s.Spec.Ports[0].TargetPort != intstr.FromString("redis")) {
			t.Errorf("the Redis Service does not reach the Redis pod: %v", s.Spec)
		}
	}
}
