A0039 GETMETADATA Corpus (/private/comment /shared/comment)
