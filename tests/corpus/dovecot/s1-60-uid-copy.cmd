A0060 UID COPY 2,4 Corpus.Renamed
