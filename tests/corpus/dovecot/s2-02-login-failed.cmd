A0001 LOGIN alice wrong-secret
