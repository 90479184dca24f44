A0016 LSUB "" "*"
