A0014 LIST "" "*"
