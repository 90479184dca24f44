A0059 MOVE 5 Corpus.Renamed
