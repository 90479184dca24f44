A0057 SELECT Corpus.NoSuchMailbox
