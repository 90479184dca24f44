A0048 GETQUOTA "User quota"
