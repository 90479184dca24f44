A0016 LIST "" Corpus.%
