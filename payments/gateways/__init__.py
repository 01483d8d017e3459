"""Payment methods backed by a provider: they send the buyer away and hear back by webhook."""
