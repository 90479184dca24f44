A0060 DELETE Corpus.Renamed
