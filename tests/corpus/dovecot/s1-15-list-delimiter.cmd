A0015 LIST "" ""
