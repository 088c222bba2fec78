"""Natural-language understanding: language detection, embeddings and intent classification."""
