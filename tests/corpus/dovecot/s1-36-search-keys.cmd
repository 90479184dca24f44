A0036 SEARCH UNSEEN FROM "bob" NOT SUBJECT "nothing-like-this"
