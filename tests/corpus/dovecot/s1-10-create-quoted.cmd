A0010 CREATE "Corpus.with space"
