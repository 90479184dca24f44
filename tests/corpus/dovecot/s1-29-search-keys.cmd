A0029 SEARCH UNSEEN FROM "bob" NOT SUBJECT "nothing-like-this"
