"""The content model and what every stage shares: errors, config, model, URLs, fingerprints, traces."""
