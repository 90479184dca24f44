A0052 GETMETADATA (MAXSIZE 5) Corpus /private/comment
