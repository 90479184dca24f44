A0049 SETMETADATA Corpus (/private/comment "captured by mailwire")
