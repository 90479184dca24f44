A0038 SETMETADATA Corpus (/private/comment "captured by mailwire")
