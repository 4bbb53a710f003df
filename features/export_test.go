package features

// SetUsersPerScript lets tests run the apply script as on a Redis Cluster (1).
func SetUsersPerScript(s *Store, n int) { s.usersPerScript = n }
