package store

import "time"

// MemoryTTL is how long the value under key has left to live in m (0: none), for the suite's
// check of each record's lifetime.
func MemoryTTL(m *Memory, key string) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.kv[key]
	if !ok || !m.now().Before(v.expires) {
		return 0
	}
	return v.expires.Sub(m.now())
}
