A0075 DELETE Corpus.Renamed
