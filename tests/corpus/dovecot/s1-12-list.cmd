A0012 LIST "" "*"
