A0001 LOGIN alice secret
