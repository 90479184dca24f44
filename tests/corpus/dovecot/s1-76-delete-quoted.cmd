A0073 DELETE "Corpus.with space"
