A0047 MOVE 5 Corpus.Renamed
