// Package deploy holds the portal's Kubernetes manifests (deploy/kubernetes) and the tests
// that parse them strictly with the Kubernetes API types. It is its own Go module, so that
// k8s.io/api stays out of the portal's module.
package deploy
