A0050 GETMETADATA Corpus (/private/comment /shared/comment)
