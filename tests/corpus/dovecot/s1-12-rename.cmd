A0012 RENAME Corpus.Sub Corpus.Renamed
