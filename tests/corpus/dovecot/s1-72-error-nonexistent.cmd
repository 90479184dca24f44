A0070 SELECT Corpus.NoSuchMailbox
