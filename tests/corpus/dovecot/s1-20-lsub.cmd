A0020 LSUB "" "*"
