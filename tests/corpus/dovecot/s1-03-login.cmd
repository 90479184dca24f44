A0003 LOGIN alice secret
