A0037 GETQUOTA "User quota"
