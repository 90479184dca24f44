A0010 RENAME Corpus.Sub Corpus.Renamed
